import type { EnvReader } from './env-reader.js';

/** The Gemini API behind the assistant's ports (libs/assistant): transcription, actions, summaries. */
export interface GeminiConfigValues {
  gemini: { apiKey?: string; baseUrl?: string; model: string; timeoutMs: number };
}

export function parseGeminiConfig(env: EnvReader): GeminiConfigValues {
  const { str, int, problems } = env;
  const baseUrl = str('GEMINI_BASE_URL');
  if (baseUrl !== undefined && !/^https?:\/\//.test(baseUrl)) {
    problems.push('GEMINI_BASE_URL must be an http(s) URL');
  }
  return {
    gemini: {
      apiKey: str('GEMINI_API_KEY'),
      baseUrl,
      model: str('GEMINI_MODEL') ?? 'gemini-2.5-flash',
      timeoutMs: int('GEMINI_TIMEOUT_MS', 20_000, 100, 300_000),
    },
  };
}
