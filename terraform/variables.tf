# ---------------------------------------------------------------------------------------------------------------------
# General
# ---------------------------------------------------------------------------------------------------------------------

variable "aws_region" {
  description = "AWS region to deploy into, e.g. us-east-1."
  type        = string
}

variable "environment" {
  description = "Environment name (production, staging, ...). Used in resource names and tags."
  type        = string
  default     = "production"
}

variable "name" {
  description = "Name prefix for every resource."
  type        = string
  default     = "mira"
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}

# ---------------------------------------------------------------------------------------------------------------------
# Network: bring your own VPC (vpc_id + subnets), or set create_vpc = true for a minimal one
# ---------------------------------------------------------------------------------------------------------------------

variable "create_vpc" {
  description = "Create a minimal VPC (2 AZs, public + private subnets, one NAT gateway). When false, pass vpc_id, public_subnet_ids and private_subnet_ids."
  type        = bool
  default     = false
}

variable "vpc_cidr" {
  description = "CIDR of the VPC created when create_vpc = true."
  type        = string
  default     = "10.40.0.0/16"
}

variable "vpc_id" {
  description = "Existing VPC id (create_vpc = false)."
  type        = string
  default     = null
}

variable "public_subnet_ids" {
  description = "Existing public subnets for the load balancer, in at least two AZs (create_vpc = false)."
  type        = list(string)
  default     = []
}

variable "private_subnet_ids" {
  description = "Existing private subnets (with a NAT route or VPC endpoints for ECR, Logs and Secrets Manager) for the tasks and the database (create_vpc = false)."
  type        = list(string)
  default     = []
}

# ---------------------------------------------------------------------------------------------------------------------
# Load balancer
# ---------------------------------------------------------------------------------------------------------------------

variable "certificate_arn" {
  description = "ACM certificate ARN for the HTTPS listener (same region as the load balancer)."
  type        = string
}

variable "ssl_policy" {
  description = "TLS policy of the HTTPS listener."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"
}

variable "alb_idle_timeout_seconds" {
  description = "ALB idle timeout. Long uploads and realtime (streaming/WebSocket) connections need more than the 60 s default; keep client pings well under it."
  type        = number
  default     = 300
}

variable "deregistration_delay_seconds" {
  description = "How long the ALB keeps a deregistering task's in-flight requests and open connections before ECS sends it SIGTERM. ECS deregisters a task before stopping it, so new requests stop first; the app then drains within SHUTDOWN_TIMEOUT_MS. Keep it long (default 300 = ALB default) for streaming connections; lower it only if no client holds connections open."
  type        = number
  default     = 300
}

variable "allowed_ingress_cidrs" {
  description = "CIDRs allowed to reach the load balancer on 80/443."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

# ---------------------------------------------------------------------------------------------------------------------
# Application (ECS Fargate)
# ---------------------------------------------------------------------------------------------------------------------

variable "container_port" {
  description = "Port the app listens on (the app's PORT; its default is 8000). The target group and the security groups use it too."
  type        = number
  default     = 8000
}

variable "health_check_path" {
  description = "Target-group health check path. /health answers 200, and 503 \"draining\" once the task got SIGTERM."
  type        = string
  default     = "/health"
}

variable "image_tag" {
  description = "Tag of the image in the ECR repository to run (e.g. the git commit SHA)."
  type        = string
}

variable "task_cpu" {
  description = "Fargate task CPU units (1024 = 1 vCPU). Audio inference (ONNX) is CPU-bound."
  type        = number
  default     = 1024
}

variable "task_memory" {
  description = "Fargate task memory (MiB)."
  type        = number
  default     = 2048
}

variable "cpu_architecture" {
  description = "X86_64 or ARM64: must match the image's platform (docker build --platform linux/amd64 or linux/arm64)."
  type        = string
  default     = "X86_64"
}

variable "desired_count" {
  description = "Initial number of tasks (autoscaling adjusts it between min_count and max_count)."
  type        = number
  default     = 2
}

variable "min_count" {
  description = "Minimum number of tasks."
  type        = number
  default     = 2
}

variable "max_count" {
  description = "Maximum number of tasks."
  type        = number
  default     = 10
}

variable "autoscaling_cpu_target" {
  description = "Target average CPU utilisation (%) of the service."
  type        = number
  default     = 60
}

variable "autoscaling_requests_per_target" {
  description = "Target ALB requests per task per minute."
  type        = number
  default     = 1000
}

variable "stop_timeout_seconds" {
  description = "Seconds between SIGTERM and SIGKILL (ECS stopTimeout, max 120 on Fargate). Must exceed shutdown_timeout_ms."
  type        = number
  default     = 30
}

variable "shutdown_timeout_ms" {
  description = "SHUTDOWN_TIMEOUT_MS: the app's bound for draining in-flight requests and jobs after SIGTERM."
  type        = number
  default     = 25000
}

variable "cors_origins" {
  description = "CORS_ORIGINS: comma-separated allowed browser origins (empty = no browser origins)."
  type        = string
  default     = ""
}

variable "log_level" {
  description = "LOG_LEVEL: error, warn, info or debug."
  type        = string
  default     = "info"
}

variable "gemini_model" {
  description = "GEMINI_MODEL used for inference."
  type        = string
  default     = "gemini-2.5-flash"
}

variable "extra_environment" {
  description = "Extra plain environment variables for the container (never secrets)."
  type        = map(string)
  default     = {}
}

variable "log_retention_days" {
  description = "CloudWatch Logs retention."
  type        = number
  default     = 30
}

# ---------------------------------------------------------------------------------------------------------------------
# Database (RDS PostgreSQL 15)
# ---------------------------------------------------------------------------------------------------------------------

variable "db_instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.t4g.medium"
}

variable "db_allocated_storage_gb" {
  description = "Initial storage (GiB); storage autoscaling goes up to db_max_allocated_storage_gb."
  type        = number
  default     = 50
}

variable "db_max_allocated_storage_gb" {
  description = "Upper bound for RDS storage autoscaling (GiB)."
  type        = number
  default     = 500
}

variable "db_engine_version" {
  description = "PostgreSQL engine version (major 15)."
  type        = string
  default     = "15"
}

variable "db_name" {
  description = "Database name."
  type        = string
  default     = "mira"
}

variable "db_username" {
  description = "Master user name."
  type        = string
  default     = "mira"
}

variable "db_multi_az" {
  description = "Run a standby in a second AZ."
  type        = bool
  default     = true
}

variable "db_backup_retention_days" {
  description = "Automated backup retention (days, 1-35)."
  type        = number
  default     = 14
}

variable "db_deletion_protection" {
  description = "Protect the database from deletion (turn off only to tear down an environment)."
  type        = bool
  default     = true
}

variable "db_pool_size" {
  description = "DB_POOL_SIZE: connections per task. Keep tasks x pool below the instance's max_connections."
  type        = number
  default     = 10
}

# ---------------------------------------------------------------------------------------------------------------------
# Alarms
# ---------------------------------------------------------------------------------------------------------------------

variable "alarm_sns_topic_arn" {
  description = "SNS topic notified by the alarms (null = alarms without notification)."
  type        = string
  default     = null
}

variable "alarm_5xx_rate_percent" {
  description = "Alarm when 5xx responses (target + ALB) exceed this share of requests over 5 minutes."
  type        = number
  default     = 2
}

variable "alarm_p95_latency_seconds" {
  description = "Alarm when the p95 target response time exceeds this (seconds) for 3 of 5 minutes."
  type        = number
  default     = 2
}
