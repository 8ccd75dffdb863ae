# Reference shape of the AWS VM module atlasod generates: one VM running the docker-compose bundle.
# Checked by: terraform validate (tf-offline), checkov -d . (0 failed), tests/tools/hcl_parse.py.

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
    cloudinit = {
      source  = "hashicorp/cloudinit"
      version = "~> 2.3"
    }
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = {
      Project = "atlasod"
      Name    = var.name
    }
  }
}

data "cloudinit_config" "hub" {
  gzip          = true
  base64_encode = true
  part {
    content_type = "text/cloud-config"
    content      = file("${path.module}/user-data.yaml")
  }
}

resource "aws_security_group" "hub" {
  name        = "${var.name}-hub"
  description = "atlasod workshop hub: HTTPS for participants, SSH for the trainer"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "http" {
  # checkov:skip=CKV_AWS_260: the ACME HTTP-01 challenge and the HTTP->HTTPS redirect need port 80 open to all
  security_group_id = aws_security_group.hub.id
  description       = "HTTP: ACME challenge and redirect to HTTPS"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
}

resource "aws_vpc_security_group_ingress_rule" "https" {
  security_group_id = aws_security_group.hub.id
  description       = "HTTPS: the JupyterHub behind Caddy"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_ingress_rule" "ssh" {
  security_group_id = aws_security_group.hub.id
  description       = "SSH for the trainer only"
  cidr_ipv4         = var.admin_cidr
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
}

resource "aws_vpc_security_group_egress_rule" "all" {
  security_group_id = aws_security_group.hub.id
  description       = "image pulls, dataset downloads, ACME"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
}

resource "aws_iam_role" "hub" {
  name = "${var.name}-hub"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_instance_profile" "hub" {
  name = "${var.name}-hub"
  role = aws_iam_role.hub.name
}

resource "aws_instance" "hub" {
  ami                    = var.ami_id
  instance_type          = var.instance_type
  subnet_id              = var.subnet_id
  vpc_security_group_ids = [aws_security_group.hub.id]
  iam_instance_profile   = aws_iam_instance_profile.hub.name
  user_data_base64       = data.cloudinit_config.hub.rendered
  monitoring             = true
  ebs_optimized          = true

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "required"
  }

  root_block_device {
    volume_size = var.disk_gb
    volume_type = "gp3"
    encrypted   = true
  }
}

output "public_ip" {
  description = "Point the workshop DNS name here"
  value       = aws_instance.hub.public_ip
}
