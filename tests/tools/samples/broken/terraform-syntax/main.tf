# BROKEN on purpose: unterminated block (HCL syntax)
resource "aws_instance" "hub" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "m6i.large"
  tags = {
    Name = "hub"
}
