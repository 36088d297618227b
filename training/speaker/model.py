"""Compact TDNN/ResNet-1D speaker network + the statistics/LDA baseline backend.

Both take RAW log-mel [B, T, 64] (output of the ONNX front end) so they can be
merged behind the same front end.
"""
import math
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, c, dil):
        super().__init__()
        self.c1 = nn.Conv1d(c, c, 3, padding=dil, dilation=dil, bias=False)
        self.b1 = nn.BatchNorm1d(c)
        self.c2 = nn.Conv1d(c, c, 1, bias=False)
        self.b2 = nn.BatchNorm1d(c)

    def forward(self, x):
        y = F.relu(self.b1(self.c1(x)))
        y = self.b2(self.c2(y))
        return F.relu(x + y)


class SpeakerNet(nn.Module):
    def __init__(self, n_mels=64, c=256, c_out=384, emb=192, dils=(2, 3, 4)):
        super().__init__()
        self.conv0 = nn.Conv1d(n_mels, c, 5, stride=2, padding=2, bias=False)
        self.bn0 = nn.BatchNorm1d(c)
        self.blocks = nn.ModuleList([Block(c, d) for d in dils])
        self.mfa = nn.Conv1d(c * len(dils), c_out, 1, bias=False)
        self.bnm = nn.BatchNorm1d(c_out)
        self.att1 = nn.Conv1d(c_out, 128, 1)
        self.att2 = nn.Conv1d(128, c_out, 1)
        self.bnp = nn.BatchNorm1d(2 * c_out)
        self.fc = nn.Linear(2 * c_out, emb)
        self.bne = nn.BatchNorm1d(emb)

    def forward(self, logmel):
        x = logmel - logmel.mean(dim=1, keepdim=True)  # CMN over time
        x = x.transpose(1, 2)
        x = F.relu(self.bn0(self.conv0(x)))
        outs = []
        for b in self.blocks:
            x = b(x)
            outs.append(x)
        x = F.relu(self.bnm(self.mfa(torch.cat(outs, dim=1))))
        w = torch.softmax(self.att2(torch.tanh(self.att1(x))), dim=2)
        mu = (x * w).sum(dim=2)
        var = (x * x * w).sum(dim=2) - mu * mu
        sd = torch.sqrt(var.clamp(min=1e-5))
        e = self.bne(self.fc(self.bnp(torch.cat([mu, sd], dim=1))))
        return e


class AAMSoftmax(nn.Module):
    def __init__(self, emb, n_cls, m=0.2, s=30.0):
        super().__init__()
        self.W = nn.Parameter(torch.randn(n_cls, emb) * 0.01)
        self.m, self.s = m, s

    def forward(self, e, y, m=None):
        m = self.m if m is None else m
        cos = F.linear(F.normalize(e), F.normalize(self.W)).clamp(-1 + 1e-7, 1 - 1e-7)
        th = torch.acos(cos)
        tgt = torch.cos(th + m)
        onehot = F.one_hot(y, cos.shape[1]).bool()
        logits = self.s * torch.where(onehot, tgt, cos)
        return F.cross_entropy(logits, y), (cos.argmax(1) == y).float().mean()


def _stats(logmel, w):
    """weighted mean + std of log-mel and std of its first time difference; w [B, T, 1] sums to 1."""
    mu = (logmel * w).sum(dim=1)
    sd = torch.sqrt(((logmel - mu.unsqueeze(1)) ** 2 * w).sum(dim=1) + 1e-5)
    d = logmel[:, 1:, :] - logmel[:, :-1, :]
    wd = w[:, 1:, :] / w[:, 1:, :].sum(dim=1, keepdim=True)
    dm = (d * wd).sum(dim=1)
    dsd = torch.sqrt(((d - dm.unsqueeze(1)) ** 2 * wd).sum(dim=1) + 1e-5)
    return torch.cat([mu, sd, dsd], dim=1)


def stats_features(logmel, mode="plain"):
    """Statistics for the LDA backend. logmel [B, T, 64].
    plain: uniform frame weights -> [B, 192]
    energy: frames weighted by sigmoid(2 * (E_t - mean E)), E_t = log of total mel power,
            so louder (speech) frames dominate under noise -> [B, 192]
    both:  concatenation -> [B, 384]"""
    T = logmel.shape[1]
    u = torch.ones_like(logmel[:, :, :1]) / T
    if mode == "plain":
        return _stats(logmel, u)
    E = torch.logsumexp(logmel, dim=2, keepdim=True)
    w = torch.sigmoid(2.0 * (E - E.mean(dim=1, keepdim=True)))
    w = w / w.sum(dim=1, keepdim=True)
    if mode == "energy":
        return _stats(logmel, w)
    return torch.cat([_stats(logmel, u), _stats(logmel, w)], dim=1)


class LDABackend(nn.Module):
    """stats -> (x - mean) @ W (whitening PCA + LDA, fitted in numpy)."""

    def __init__(self, mean, W, mode="plain"):
        super().__init__()
        self.mode = mode
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float32))
        self.register_buffer("W", torch.as_tensor(W, dtype=torch.float32))

    def forward(self, logmel):
        return (stats_features(logmel, self.mode) - self.mean) @ self.W


class Embedder(nn.Module):
    """Final exported backend: raw log-mel -> L2-normalised (optionally fused) embedding.
    Fusion: concat(sqrt(w) * n(e_net), sqrt(1-w) * n(e_lda)) is unit norm and its
    cosine equals w*cos_net + (1-w)*cos_lda (score fusion inside the graph)."""

    def __init__(self, net=None, lda=None, w_net=1.0):
        super().__init__()
        self.net, self.lda = net, lda
        self.w_net = float(w_net)

    def forward(self, logmel):
        parts = []
        if self.net is not None:
            e = self.net(logmel)
            parts.append(F.normalize(e, dim=1) * math.sqrt(self.w_net if self.lda is not None else 1.0))
        if self.lda is not None:
            e = self.lda(logmel)
            parts.append(F.normalize(e, dim=1) * math.sqrt(1.0 - self.w_net if self.net is not None else 1.0))
        out = parts[0] if len(parts) == 1 else torch.cat(parts, dim=1)
        return F.normalize(out, dim=1)
