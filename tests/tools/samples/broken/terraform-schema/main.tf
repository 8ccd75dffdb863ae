# BROKEN on purpose: valid HCL, but `instance_typ` is not an aws_instance argument and `ami` refers to
# an undeclared data source (terraform validate catches both; python-hcl2 does not)
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }
}

resource "aws_instance" "hub" {
  ami          = data.aws_ami.ubuntu.id
  instance_typ = "m6i.large"
}
