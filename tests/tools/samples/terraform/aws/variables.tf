variable "name" {
  description = "Prefix for every resource"
  type        = string
  default     = "atlasod-workshop"
}

variable "region" {
  description = "AWS region"
  type        = string
  default     = "eu-central-1"
}

variable "ami_id" {
  description = "Ubuntu 24.04 LTS AMI for the region"
  type        = string
}

variable "instance_type" {
  description = "RAM = users x per-user memory + hub overhead"
  type        = string
  default     = "m6i.2xlarge"
}

variable "disk_gb" {
  description = "Root disk: images + datasets + user volumes"
  type        = number
  default     = 200
}

variable "vpc_id" {
  description = "VPC to place the VM in"
  type        = string
}

variable "subnet_id" {
  description = "Public subnet of that VPC"
  type        = string
}

variable "admin_cidr" {
  description = "Trainer's address range for SSH"
  type        = string
}
