# The task's secrets, injected by ECS from Secrets Manager (never in the task definition's plain environment).
# DATABASE_URL, JWT_SECRET and METRICS_TOKEN are generated here. GEMINI_API_KEY and VOICEPRINT_KEY are created empty: put their
# values before the first deploy (docs/deployment.md); a task cannot start while a secret has no value.

resource "random_password" "db" {
  length  = 40
  special = false
}

resource "random_password" "jwt" {
  length  = 64
  special = false
}

resource "aws_secretsmanager_secret" "database_url" {
  name                    = "${local.prefix}/DATABASE_URL"
  description             = "Mira DATABASE_URL (RDS PostgreSQL, TLS required)"
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "database_url" {
  secret_id     = aws_secretsmanager_secret.database_url.id
  secret_string = "postgresql://${var.db_username}:${random_password.db.result}@${aws_db_instance.this.address}:${aws_db_instance.this.port}/${var.db_name}?sslmode=no-verify"
}

resource "aws_secretsmanager_secret" "jwt_secret" {
  name                    = "${local.prefix}/JWT_SECRET"
  description             = "Mira JWT_SECRET (HS256 signing key, 64 characters)"
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "jwt_secret" {
  secret_id     = aws_secretsmanager_secret.jwt_secret.id
  secret_string = random_password.jwt.result
}

resource "random_password" "metrics" {
  length  = 48
  special = false
}

# The operator bearer for GET /metrics and GET /health/detailed (in production they answer nothing else): give it to
# the Prometheus / ADOT collector that scrapes the tasks.
resource "aws_secretsmanager_secret" "metrics_token" {
  name                    = "${local.prefix}/METRICS_TOKEN"
  description             = "Mira METRICS_TOKEN: the operator bearer for /metrics and /health/detailed"
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "metrics_token" {
  secret_id     = aws_secretsmanager_secret.metrics_token.id
  secret_string = random_password.metrics.result
}

resource "aws_secretsmanager_secret" "gemini_api_key" {
  name                    = "${local.prefix}/GEMINI_API_KEY"
  description             = "Mira GEMINI_API_KEY (set the value with aws secretsmanager put-secret-value)"
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret" "voiceprint_key" {
  name                    = "${local.prefix}/VOICEPRINT_KEY"
  description             = "Mira VOICEPRINT_KEY: encrypts stored voiceprints (set the value with aws secretsmanager put-secret-value)"
  recovery_window_in_days = 7
}

locals {
  # Environment variable name => secret ARN. Every variable the app's production config requires is here
  # (checked by test/e2e/deploy-artifacts.e2e-spec.ts).
  task_secrets = {
    DATABASE_URL   = aws_secretsmanager_secret.database_url.arn
    JWT_SECRET     = aws_secretsmanager_secret.jwt_secret.arn
    GEMINI_API_KEY = aws_secretsmanager_secret.gemini_api_key.arn
    VOICEPRINT_KEY = aws_secretsmanager_secret.voiceprint_key.arn
    METRICS_TOKEN  = aws_secretsmanager_secret.metrics_token.arn
  }
}
