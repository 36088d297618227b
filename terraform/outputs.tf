output "alb_dns_name" {
  description = "DNS name of the load balancer: point your domain (the ACM certificate's name) at it with a CNAME or alias record."
  value       = aws_lb.this.dns_name
}

output "alb_zone_id" {
  description = "Hosted zone id of the load balancer, for a Route 53 alias record."
  value       = aws_lb.this.zone_id
}

output "ecr_repository_url" {
  description = "ECR repository to push images to (docker tag/push <url>:<tag>)."
  value       = aws_ecr_repository.api.repository_url
}

output "ecs_cluster_name" {
  description = "ECS cluster name."
  value       = aws_ecs_cluster.this.name
}

output "ecs_service_name" {
  description = "ECS service name (aws ecs update-service / wait services-stable)."
  value       = aws_ecs_service.api.name
}

output "migration_task_definition" {
  description = "Family:revision of the one-off migration task (aws ecs run-task --task-definition)."
  value       = "${aws_ecs_task_definition.migrate.family}:${aws_ecs_task_definition.migrate.revision}"
}

output "task_subnet_ids" {
  description = "Private subnets the tasks (and the migration task) run in."
  value       = local.private_subnet_ids
}

output "task_security_group_id" {
  description = "Security group of the tasks (also for the migration task)."
  value       = aws_security_group.tasks.id
}

output "log_group_name" {
  description = "CloudWatch log group of the service and the migration task."
  value       = aws_cloudwatch_log_group.api.name
}

output "db_endpoint" {
  description = "RDS endpoint (host:port), reachable only from the tasks."
  value       = aws_db_instance.this.endpoint
}

output "secret_arns" {
  description = "Secrets Manager ARNs injected into the task, by environment variable name."
  value       = local.task_secrets
}

output "migration_network_configuration" {
  description = "Ready-made --network-configuration for aws ecs run-task of the migration task (private subnets, task security group)."
  value       = "awsvpcConfiguration={subnets=[${join(",", local.private_subnet_ids)}],securityGroups=[${aws_security_group.tasks.id}],assignPublicIp=DISABLED}"
}
