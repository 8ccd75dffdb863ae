# BROKEN on purpose (for checkov): SSH open to the world, unencrypted disk, IMDSv1, no monitoring
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }
}

resource "aws_security_group" "hub" {
  name = "hub"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_instance" "hub" {
  ami                    = "ami-0123456789abcdef0"
  instance_type          = "m6i.large"
  vpc_security_group_ids = [aws_security_group.hub.id]
  root_block_device {
    encrypted = false
  }
}
