terraform {
  required_version = ">= 1.6.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.80"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }

  # Keep state remote and encrypted (it holds the generated database password), e.g.:
  # backend "s3" {
  #   bucket         = "my-terraform-state"
  #   key            = "mira/terraform.tfstate"
  #   region         = "us-east-1"
  #   dynamodb_table = "terraform-locks"
  #   encrypt        = true
  # }
}

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = merge({ Project = "mira", Environment = var.environment, ManagedBy = "terraform" }, var.tags)
  }
}
