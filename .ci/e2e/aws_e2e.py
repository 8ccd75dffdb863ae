#!/usr/bin/env python3
"""One spec's aws bundle applied by the real AWS provider against moto, checked with boto3 and cloud-init.

usage: aws_e2e.py SPEC WORKDIR          (run by .ci/e2e-aws.sh, with the moto venv's python)

Env: ATLASOD_BIN (the atlasod binary), TF_CLI_CONFIG_FILE (the CLI config the driver chose: the
machine's provider through dev_overrides, or one for `terraform init`), ATLASOD_E2E_INIT=1 to run
`terraform init` first, ATLASOD_REPO (the repository).

Starts its own moto (.ci/e2e/moto_server.py) on a free loopback port, builds the bundle, writes an
`*_override.tf` that points the provider at moto (the bundle's own files stay as built), and goes
through the steps of .ci/README.md ("End-to-end: the aws bundle against moto"). Prints one `PASS name` or `FAIL name: why` line per check
and ends with `N passed, M failed`; exit 1 when a check failed. Everything it starts is stopped
and WORKDIR is left for the caller to remove.
"""

import base64
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time

import boto3

REPO = os.environ.get("ATLASOD_REPO") or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TAG = "atlasod-workshop"
CANONICAL = "099720109477"
NOBLE = "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20261115"
SIZES = ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge"]
USER_DATA_LIMIT = 16 * 1024  # EC2: 16 KB of user data, before base64

passed, failed = 0, 0


def check(name, ok, why=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"PASS {name}", flush=True)
    else:
        failed += 1
        print(f"FAIL {name}: {why}", flush=True)
    return ok


def run(args, cwd=None, env=None, stdin=None, timeout=900):
    started = time.monotonic()
    done = subprocess.run(args, cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=timeout)
    return done, time.monotonic() - started


class Tf:
    """terraform in the bundle's module, with the driver's CLI config and no AWS credentials of the machine."""

    def __init__(self, module, log):
        self.module, self.log = module, log
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.env.update(AWS_EC2_METADATA_DISABLED="true", TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1")

    def __call__(self, *args, stdin=None):
        done = self.once(args, stdin)
        refused = "prevent_destroy" in done.stderr or "postcondition" in done.stderr.lower()
        if done.returncode != 0 and args[0] in ("apply", "destroy") and "-auto-approve" in args and not refused:
            # An apply that the emulator fails half-way (seen twice, under load, around a volume's
            # detach) is run again, as a trainer would; a defect of the bundle fails both times.
            # The first error is printed, so a retry never goes unseen.
            error = [line for line in done.stderr.splitlines() if line.strip()][-3:]
            print(f"e2e-aws: terraform {args[0]} failed, running it again: {' / '.join(error)}", flush=True)
            done = self.once(args, stdin)
        return done

    def once(self, args, stdin):
        done, took = run(["terraform", *args, "-no-color"], cwd=self.module, env=self.env, stdin=stdin)
        with open(self.log, "a") as f:
            f.write(f"\n$ terraform {' '.join(args)}  ({took:.0f} s, exit {done.returncode})\n{done.stdout}{done.stderr}")
        return done

    def plan_json(self, *args):
        plan = self("plan", "-input=false", "-out=change.tfplan", *args)
        if plan.returncode != 0:
            return None, plan.stdout + plan.stderr
        shown = self("show", "-json", "change.tfplan")
        return json.loads(shown.stdout), ""

    def outputs(self):
        return {k: v["value"] for k, v in json.loads(self("output", "-json").stdout).items()}


def tfvars_defaults(example):
    """The module's settings: `# name = value` lines (defaults) and `name = ""` lines (required)."""
    defaults, required = {}, []
    for line in open(example, encoding="utf-8"):
        if m := re.match(r"^# (\w+) = (.*)$", line):
            defaults[m[1]] = json.loads(m[2])
        elif m := re.match(r'^(\w+) = ""$', line):
            required.append(m[1])
    return defaults, required


def bigger(instance_type):
    family, size = instance_type.split(".", 1)
    if size in SIZES and SIZES.index(size) + 1 < len(SIZES):
        return f"{family}.{SIZES[SIZES.index(size) + 1]}"
    return f"{family}.metal"


def start_moto(work):
    amis = os.path.join(work, "amis.json")
    with open(amis, "w") as f:
        json.dump([{
            "ami_id": "ami-0c0ffee0123456789", "state": "available", "public": True, "owner_id": CANONICAL,
            "image_location": f"amazon/{NOBLE}", "sriov": "simple", "root_device_type": "ebs",
            "root_device_name": "/dev/sda1", "description": "Canonical, Ubuntu, 24.04, amd64 noble image",
            "image_type": "machine", "platform": None, "architecture": "x86_64", "name": NOBLE,
            "virtualization_type": "hvm", "hypervisor": "xen",
        }], f)
    port_file = os.path.join(work, "moto.port")
    log = open(os.path.join(work, "moto.log"), "w")
    proc = subprocess.Popen([sys.executable, os.path.join(REPO, ".ci/e2e/moto_server.py"), port_file, amis],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        for _ in range(300):
            if os.path.exists(port_file):
                return proc, int(open(port_file).read())
            if proc.poll() is not None:
                break
            time.sleep(0.1)
        raise SystemExit(f"moto did not start: see {log.name}")
    except BaseException:
        os.killpg(proc.pid, signal.SIGTERM)
        raise


OVERRIDE = """# Written by .ci/e2e/aws_e2e.py: the provider talks to moto on loopback, with fake credentials.
provider "aws" {{
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {{
    ec2                      = "{url}"
    ssm                      = "{url}"
    sts                      = "{url}"
    resourcegroupstaggingapi = "{url}"
  }}
}}
"""


def main(argv):
    spec, work = argv
    os.makedirs(work, exist_ok=True)
    # a TERM (the driver's cleanup) unwinds through the finally below (or start_moto's), which stops moto
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    moto, port = start_moto(work)
    try:
        steps(spec, work, port)
    finally:
        os.killpg(moto.pid, signal.SIGTERM)
        moto.wait(timeout=30)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


def steps(spec, work, port):
    url = f"http://127.0.0.1:{port}"
    bundle = os.path.join(work, "bundle")
    built, _ = run([os.environ["ATLASOD_BIN"], "build", spec, "--target", "aws", "-o", bundle])
    if not check("atlasod build --target aws", built.returncode == 0, built.stderr[-2000:]):
        return
    module = os.path.join(bundle, "aws", "terraform")
    tf = Tf(module, os.path.join(work, "terraform.log"))
    with open(os.path.join(module, "zz_moto_override.tf"), "w") as f:
        f.write(OVERRIDE.format(url=url))
    defaults, required = tfvars_defaults(os.path.join(module, "terraform.tfvars.example"))
    # every value a trainer must give, with text outside ASCII: it has to reach the VM byte for byte
    values = {name: f"{name}-Física-€-粒子-{secrets.token_hex(16)}" for name in required}
    with open(os.path.join(module, "terraform.tfvars.json"), "w", encoding="utf-8") as f:
        json.dump(values, f, ensure_ascii=False)
    region, name = defaults["region"], workshop_name(module)
    settings = dict(defaults, **values)

    if os.environ.get("ATLASOD_E2E_INIT") == "1":
        init = tf("init", "-input=false")
        if not check("terraform init (the pinned provider)", init.returncode == 0, init.stderr[-2000:]):
            return
    validate = tf("validate")
    check("terraform validate", validate.returncode == 0, validate.stderr[-2000:])
    accounts = guarded("the roster's passwords", roster_accounts, tf, spec, bundle, module)
    plan, why = tf.plan_json()
    if not check("terraform plan", plan is not None, why[-2000:]):
        return
    apply = tf("apply", "-input=false", "-auto-approve")
    if not check("terraform apply", apply.returncode == 0, (apply.stdout + apply.stderr)[-3000:]):
        return
    ec2 = boto3.client("ec2", region_name=region, endpoint_url=url, aws_access_key_id="testing",
                       aws_secret_access_key="testing")
    outputs = tf.outputs()
    instance = guarded("the emulator's resources", emulator_checks, ec2, name, settings, outputs)
    if instance is None:
        return
    guarded("the user data", user_data_checks, ec2, instance, module, work, settings, values, accounts)
    again = tf("plan", "-input=false", "-detailed-exitcode")
    check("plan after apply: No changes", again.returncode == 0 and "No changes." in again.stdout,
          f"exit {again.returncode}: {again.stdout[-2000:]}")
    guarded("a trainer's changes", trainer_changes, tf, settings, values)
    guarded("the VM replaced", replacement, tf, ec2, outputs, values)
    guarded("a region change", region_change, tf, ec2, region, outputs)
    guarded("the teardown", teardown, tf, ec2, module, name, outputs, url, region)


def guarded(what, step, *args):
    """Runs one step; an exception in it (an answer of unexpected shape) is one FAIL, not the end."""
    try:
        return step(*args)
    except Exception as e:  # noqa: BLE001
        check(f"{what}: the checks ran", False, f"{type(e).__name__}: {e}")
        return None


def workshop_name(module):
    text = open(os.path.join(module, "main.tf"), encoding="utf-8").read()
    return re.search(r'^\s*workshop\s*=\s*"([^"]+)"', text, re.M)[1]


def tagged(ec2, name):
    """Every EC2 resource that exists and carries the workshop's tag, as {id: type}. moto keeps the
    tags of deleted resources, so each one is looked up; a terminated instance counts as gone."""
    found = {}
    for page in ec2.get_paginator("describe_tags").paginate(
            Filters=[{"Name": "key", "Values": [TAG]}, {"Name": "value", "Values": [name]}]):
        for t in page["Tags"]:
            if exists(ec2, t["ResourceType"], t["ResourceId"]):
                found[t["ResourceId"]] = t["ResourceType"]
    return found


def exists(ec2, kind, rid):
    lookups = {
        "instance": lambda: [i for r in ec2.describe_instances(InstanceIds=[rid])["Reservations"] for i in r["Instances"]
                             if i["State"]["Name"] != "terminated"],
        "volume": lambda: ec2.describe_volumes(VolumeIds=[rid])["Volumes"],
        "vpc": lambda: ec2.describe_vpcs(VpcIds=[rid])["Vpcs"],
        "subnet": lambda: ec2.describe_subnets(SubnetIds=[rid])["Subnets"],
        "security-group": lambda: ec2.describe_security_groups(GroupIds=[rid])["SecurityGroups"],
        "security-group-rule": lambda: ec2.describe_security_group_rules(SecurityGroupRuleIds=[rid])["SecurityGroupRules"],
        "internet-gateway": lambda: ec2.describe_internet_gateways(InternetGatewayIds=[rid])["InternetGateways"],
        "route-table": lambda: ec2.describe_route_tables(RouteTableIds=[rid])["RouteTables"],
        "elastic-ip": lambda: ec2.describe_addresses(AllocationIds=[rid])["Addresses"],
        "vpc-elastic-ip": lambda: ec2.describe_addresses(AllocationIds=[rid])["Addresses"],
        "key-pair": lambda: ec2.describe_key_pairs(KeyPairIds=[rid])["KeyPairs"],
    }
    if kind not in lookups:
        return True
    try:
        return bool(lookups[kind]())
    except ec2.exceptions.ClientError as e:
        if "NotFound" in e.response["Error"]["Code"] or "Invalid" in e.response["Error"]["Code"]:
            return False
        raise


def emulator_checks(ec2, name, settings, outputs):
    reservations = ec2.describe_instances(Filters=[{"Name": f"tag:{TAG}", "Values": [name]},
                                                   {"Name": "instance-state-name", "Values": ["running", "pending"]}])
    instances = [i for r in reservations["Reservations"] for i in r["Instances"]]
    if not check("one instance, tagged with the workshop", len(instances) == 1, f"found {len(instances)}"):
        return None
    i = instances[0]
    check("instance type as the module says", i["InstanceType"] == settings["instance_type"],
          f"{i['InstanceType']} != {settings['instance_type']}")
    image = ec2.describe_images(ImageIds=[i["ImageId"]])["Images"][0]
    check("AMI: Canonical's Ubuntu 24.04 noble", image["OwnerId"] == CANONICAL and "ubuntu-noble-24.04-amd64" in image["Name"],
          f"{image['OwnerId']} {image['Name']}")
    md = i.get("MetadataOptions", {})
    check("IMDSv2 required, hop limit 1", md.get("HttpTokens") == "required" and md.get("HttpPutResponseHopLimit") == 1,
          json.dumps(md))
    behaviour = ec2.describe_instance_attribute(InstanceId=i["InstanceId"], Attribute="instanceInitiatedShutdownBehavior")
    check("shutdown from inside stops the VM", behaviour["InstanceInitiatedShutdownBehavior"]["Value"] == "stop",
          json.dumps(behaviour["InstanceInitiatedShutdownBehavior"]))
    check("detailed monitoring on", i.get("Monitoring", {}).get("State") == "enabled", json.dumps(i.get("Monitoring")))
    groups = [g["GroupId"] for g in i["SecurityGroups"]]
    check("instance in the workshop's security group only", len(groups) == 1, json.dumps(groups))

    volumes = {v["VolumeId"]: v for v in ec2.describe_volumes(
        Filters=[{"Name": "attachment.instance-id", "Values": [i["InstanceId"]]}])["Volumes"]}
    root = next((v for v in volumes.values() if v["Attachments"][0]["Device"] == i["RootDeviceName"]), None)
    data = volumes.get(outputs["data_disk_id"])
    # what happens to each disk when the instance terminates, as EC2 reports it for the instance
    on_termination = {m["Ebs"]["VolumeId"]: m["Ebs"].get("DeleteOnTermination") for m in i.get("BlockDeviceMappings", [])}
    if check("boot disk attached", root is not None, json.dumps(list(volumes))):
        check("boot disk: size, gp3, encrypted, deleted with the VM",
              root["Size"] == settings["boot_disk_gb"] and root["VolumeType"] == "gp3" and root["Encrypted"]
              and on_termination.get(root["VolumeId"]) is True,
              f"{root['Size']} {root['VolumeType']} {root['Encrypted']} {on_termination}")
    if check("data disk attached (output data_disk_id)", data is not None, f"{outputs['data_disk_id']} not in {list(volumes)}"):
        att = data["Attachments"][0]
        check("data disk: size, gp3, encrypted",
              data["Size"] == settings["data_disk_gb"] and data["VolumeType"] == "gp3" and data["Encrypted"],
              f"{data['Size']} {data['VolumeType']} {data['Encrypted']}")
        check("data disk in the instance's zone", data["AvailabilityZone"] == i["Placement"]["AvailabilityZone"],
              f"{data['AvailabilityZone']} != {i['Placement']['AvailabilityZone']}")
        check("data disk at /dev/sdf, kept when the VM terminates",
              att["Device"] == "/dev/sdf" and on_termination.get(data["VolumeId"]) is False and att["State"] == "attached",
              f"{json.dumps(att, default=str)} {on_termination}")

    addresses = ec2.describe_addresses(Filters=[{"Name": f"tag:{TAG}", "Values": [name]}])["Addresses"]
    if check("one elastic IP, tagged", len(addresses) == 1, f"found {len(addresses)}"):
        a = addresses[0]
        check("elastic IP associated with the instance", a.get("InstanceId") == i["InstanceId"], json.dumps(a))
        check("output public_ip is the elastic IP", outputs["public_ip"] == a["PublicIp"], f"{outputs['public_ip']} != {a['PublicIp']}")
        domain = settings.get("domain")
        hub = outputs["hub_url"]
        check("output hub_url", hub.startswith("https://") and (a["PublicIp"] in hub or "." in hub[8:]), hub)
        admin = settings.get("admin_cidr")
        ssh = outputs["ssh_command"]
        check("output ssh_command", (ssh == f"ssh ubuntu@{a['PublicIp']}") if admin else ssh.startswith("SSH is closed"), ssh)
        if "oauth_callback_url" in outputs:
            check("output oauth_callback_url", outputs["oauth_callback_url"].endswith("/hub/oauth_callback"), outputs["oauth_callback_url"])
        del domain

    sg = ec2.describe_security_groups(GroupIds=groups)["SecurityGroups"][0]
    rules = sorted((p["FromPort"], p["ToPort"], r["CidrIp"]) for p in sg["IpPermissions"] for r in p.get("IpRanges", []))
    want = sorted([(80, 80, "0.0.0.0/0"), (443, 443, "0.0.0.0/0")] + ([(22, 22, settings["admin_cidr"])] if settings.get("admin_cidr") else []))
    check("ingress exactly 80, 443 from anywhere and 22 from admin_cidr only", rules == want, f"{rules} != {want}")
    ipv6 = [p for p in sg["IpPermissions"] if p.get("Ipv6Ranges") or p.get("UserIdGroupPairs") or p.get("PrefixListIds")]
    check("no other ingress source", not ipv6, json.dumps(ipv6))
    default = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [i["VpcId"]]},
                                                    {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]
    check("the VPC's default security group is empty", all(not g["IpPermissions"] and not g["IpPermissionsEgress"] for g in default),
          json.dumps(default, default=str)[:500])

    tags = tagged(ec2, name)
    expected = {i["InstanceId"]: "instance", i["VpcId"]: "vpc", i["SubnetId"]: "subnet", groups[0]: "security-group"}
    expected.update({v: "volume" for v in volumes})
    expected.update({a["AllocationId"]: "elastic-ip" for a in addresses})
    for igw in ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [i["VpcId"]]}])["InternetGateways"]:
        expected[igw["InternetGatewayId"]] = "internet-gateway"
    for rt in ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [i["VpcId"]]}])["RouteTables"]:
        if not any(a.get("Main") for a in rt.get("Associations", [])):
            expected[rt["RouteTableId"]] = "route-table"
    for kp in ec2.describe_key_pairs()["KeyPairs"]:
        if kp["KeyName"].startswith(name):
            expected[kp["KeyPairId"]] = "key-pair"
    missing = sorted(f"{t} {r}" for r, t in expected.items() if r not in tags)
    check(f"tag {TAG}={name} on every taggable resource ({len(expected)})", not missing, f"untagged: {missing}")
    groups_rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": groups}])["SecurityGroupRules"]
    untagged = [r["SecurityGroupRuleId"] for r in groups_rules if {"Key": TAG, "Value": name} not in r.get("Tags", [])]
    check(f"tag {TAG}={name} on every security group rule ({len(groups_rules)})", groups_rules and not untagged, f"untagged: {untagged}")
    return i


def template_files(module):
    """The files the user data template writes, as {path: permissions}."""
    text = open(os.path.join(module, "user-data.yaml.tftpl"), encoding="utf-8").read()
    return dict(re.findall(r'^  - path: "?([^"\n]+)"?\n    owner: root:root\n    permissions: "?([0-7]+)"?$', text, re.M))


def roster_accounts(tf, spec, bundle, module):
    """Native roster accounts: no plan before `atlasod accounts`, then its file; None without a roster."""
    if "local.accounts" not in open(os.path.join(module, "main.tf"), encoding="utf-8").read():
        return None
    refused = tf("plan", "-input=false")
    check("no plan before `atlasod accounts` (the roster's passwords are missing)",
          refused.returncode != 0 and "atlasod accounts --target aws" in refused.stderr, refused.stderr[-1500:])
    made, _ = run([os.environ["ATLASOD_BIN"], "accounts", spec, "--target", "aws", "-o", bundle, "-q"])
    path = os.path.join(bundle, "aws", "accounts.csv")
    check("atlasod accounts --target aws writes the passwords beside the module, mode 0600",
          made.returncode == 0 and os.path.exists(path) and oct(os.stat(path).st_mode & 0o777) == "0o600",
          made.stderr[-1500:])
    return open(path, encoding="utf-8").read() if os.path.exists(path) else ""


def user_data_checks(ec2, instance, module, work, settings, values, accounts):
    attr = ec2.describe_instance_attribute(InstanceId=instance["InstanceId"], Attribute="userData")
    raw = attr.get("UserData", {}).get("Value", "")
    path = os.path.join(work, "user-data.b64")
    with open(path, "w") as f:
        f.write(raw)
    size = len(base64.b64decode(raw)) if raw else 0
    check(f"user data fits EC2's 16 KB ({size} bytes)", 0 < size <= USER_DATA_LIMIT, f"{size} bytes")
    read, _ = run(["python3", os.path.join(REPO, "tests/tools/cloud_init_userdata.py"), path, "--base64"])
    try:
        report = json.loads(read.stdout)
    except json.JSONDecodeError:
        check("cloud-init reads the user data", False, read.stderr[-2000:])
        return
    check("cloud-init reads the user data with no warning", not report["problems"], "; ".join(report["problems"])[:2000])
    check("one cloud-config part, nothing to merge",
          [p["content_type"] for p in report["parts"]] == ["text/cloud-config"] and not report["parts"][0]["merge_type"],
          json.dumps(report["parts"]))
    config = report["config"]
    written = {f["path"]: f for f in config.get("write_files", [])}
    want = template_files(module)
    wrong = sorted(p for p, mode in want.items() if written.get(p, {}).get("permissions") != mode)
    check(f"every file of the template is written with its mode ({len(want)})", want and not wrong, f"missing or wrong mode: {wrong}")
    for p, mode in (("/etc/atlasod/host.env", "0644"), ("/opt/atlasod/.env", "0600")):
        check(f"{p} written, mode {mode}", written.get(p, {}).get("permissions") == mode, json.dumps(written.get(p))[:300])
    if accounts is not None:
        roster = written.get("/opt/atlasod/accounts.csv", {})
        check("/opt/atlasod/accounts.csv: the file of `atlasod accounts` byte for byte, mode 0600",
              roster.get("permissions") == "0600" and roster.get("content") == accounts and accounts.count("\n") > 2,
              json.dumps({k: roster.get(k) for k in ("permissions", "path")}))
    leftovers = sorted(p for p, f in written.items() if re.search(r"\$\{(jsonencode|host_env|dotenv|accounts)|\$\{local\.|\$\{var\.|%\{ ?(if|for) ", f.get("content", "")))
    check("no template placeholder left", not leftovers, f"in {leftovers}")
    dotenv = written.get("/opt/atlasod/.env", {}).get("content", "")
    env = dict(re.findall(r"^([A-Z_]+)='(.*)'$", dotenv, re.M))
    lost = sorted(k for k, v in values.items() if env.get(k.upper()) != v)
    check(f".env carries every value of terraform.tfvars byte for byte ({len(values)})", not lost, f"lost or changed: {lost}")
    host = written.get("/etc/atlasod/host.env", {}).get("content", "")
    check("host.env names the data disk and the public IP",
          "ATLASOD_DATA_DEVICE=/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol" in host and "ATLASOD_PUBLIC_IP=" in host, host)
    # every other file byte for byte as the template's author wrote it: the template read as YAML
    # once its literal escapes are undone by hand, against what Terraform's templatefile() and
    # cloud-init made of it
    import yaml

    text = open(os.path.join(module, "user-data.yaml.tftpl"), encoding="utf-8").read()
    applied = text.count("${jsonencode(")  # the files Terraform fills in at apply time
    text = re.sub(r"\$\{jsonencode\((host_env|dotenv|accounts)\)\}", '""', text)
    authored = yaml.safe_load(text.replace("$${", "${").replace("%%{", "%{"))
    differ = [f["path"] for f in authored["write_files"]
              if f["content"] and written.get(f["path"], {}).get("content") != f["content"]]
    check(f"every file's content as the template wrote it ({len(authored['write_files']) - applied} files)", not differ, f"differ: {differ}")


def disk_change(plan, what):
    """Why the plan deletes or replaces the data disk, or '' when it does not."""
    for rc in plan.get("resource_changes", []):
        if rc["address"] == "aws_ebs_volume.data" and "delete" in rc["change"]["actions"]:
            return f"{what}: aws_ebs_volume.data {rc['change']['actions']}"
    return ""


def trainer_changes(tf, settings, values):
    changes = [
        ("a bigger instance", ["-var", f"instance_type={bigger(settings['instance_type'])}"]),
        ("a bigger data disk", ["-var", f"data_disk_gb={settings['data_disk_gb'] + 20}"]),
        ("another admin_cidr", ["-var", "admin_cidr=198.18.0.0/15"]),
    ]
    for secret in list(values)[:1]:  # a spec whose login needs no secret has none
        changes.append((f"a changed {secret}", ["-var", f"{secret}={values[secret]}-changed"]))
    for what, args in changes:
        plan, why = tf.plan_json("-input=false", *args)
        if plan is None:
            check(f"plan with {what}", False, why[-1500:])
            continue
        changed = [rc["address"] for rc in plan.get("resource_changes", []) if rc["change"]["actions"] != ["no-op"]]
        bad = disk_change(plan, what)
        check(f"{what} keeps the data disk (changes: {', '.join(changed) or 'none'})", not bad and changed, bad or "nothing changes")


def replacement(tf, ec2, outputs, values):
    before = ec2.describe_instances(Filters=[{"Name": "instance-state-name", "Values": ["running"]}])
    old = {i["InstanceId"] for r in before["Reservations"] for i in r["Instances"]}
    if values:
        secret = next(iter(values))
        values[secret] = f"{values[secret]}-rotated"
        what, args = f"apply a changed {secret} (a new user data replaces the VM)", ["-var", f"{secret}={values[secret]}"]
    else:
        what, args = "apply -replace=aws_instance.hub (no secret to change)", ["-replace=aws_instance.hub"]
    apply = tf("apply", "-input=false", "-auto-approve", *args)
    if not check(what, apply.returncode == 0, (apply.stdout + apply.stderr)[-2000:]):
        return
    after = tf.outputs()
    vol = ec2.describe_volumes(VolumeIds=[outputs["data_disk_id"]])["Volumes"]
    new = [a["InstanceId"] for v in vol for a in v["Attachments"]]
    check("VM replaced", new and new[0] not in old, f"{new} vs {old}")
    check("the same data disk, attached to the new VM", after["data_disk_id"] == outputs["data_disk_id"] and len(new) == 1,
          f"{after['data_disk_id']} vs {outputs['data_disk_id']}, attached to {new}")
    address = ec2.describe_addresses(PublicIps=[outputs["public_ip"]])["Addresses"]
    check("the same public IP, on the new VM", after["public_ip"] == outputs["public_ip"] and address and address[0].get("InstanceId") in new,
          f"{after['public_ip']} vs {outputs['public_ip']}: {address}")


def region_change(tf, ec2, region, outputs):
    other = "eu-west-1" if region != "eu-west-1" else "eu-central-1"
    plan = tf("plan", "-input=false", "-var", f"region={other}")
    check(f"plan with region={other} refused", plan.returncode != 0 and "cannot move them" in re.sub(r"\s+", " ", plan.stderr),
          f"exit {plan.returncode}: {(plan.stdout + plan.stderr)[-1500:]}")
    state = tf("state", "list").stdout.split()
    check("the refused plan leaves the state and the data disk", "aws_ebs_volume.data" in state and
          ec2.describe_volumes(VolumeIds=[outputs["data_disk_id"]])["Volumes"], " ".join(state))


def arn_kind(arn):
    """`instance` for arn:aws:ec2:REGION:ACCOUNT:instance/i-..., and so on."""
    return arn.split(":", 5)[-1].split("/", 1)[0]


def readme_teardown(module):
    """The commands of the bundle README's 'Remove everything but the data disk' block."""
    readme = open(os.path.join(os.path.dirname(module), "README.md"), encoding="utf-8").read()
    block = re.search(r"Remove everything but the data disk.*?```sh\n(.*?)```", readme, re.S)
    return [line.split("#")[0].strip() for line in block[1].splitlines() if line.strip()] if block else []


def teardown(tf, ec2, module, name, outputs, url, region):
    before = tagged(ec2, name)
    destroy = tf("destroy", "-input=false", "-auto-approve")
    check("plain terraform destroy refuses", destroy.returncode != 0 and "prevent_destroy" in destroy.stderr,
          f"exit {destroy.returncode}: {destroy.stderr[-1000:]}")
    check("the refused destroy deletes nothing", tagged(ec2, name) == before, f"{before} -> {tagged(ec2, name)}")
    commands = readme_teardown(module)
    if not check("README says how to remove everything but the data disk", commands, "no such block in README.md"):
        return
    disk = None
    for command in commands:
        done = subprocess.run(["bash", "-c", command], cwd=module, env=tf.env, input="yes\n",
                              capture_output=True, text=True, timeout=900)
        with open(tf.log, "a") as f:
            f.write(f"\n$ {command}  (README, exit {done.returncode})\n{done.stdout}{done.stderr}")
        if "output -raw data_disk_id" in command:
            disk = done.stdout.strip()
        if not check(f"README: {command}", done.returncode == 0, (done.stdout + done.stderr)[-1500:]):
            return
    left = tagged(ec2, name)
    check("README's procedure leaves exactly the data disk", left == {outputs["data_disk_id"]: "volume"} and disk == outputs["data_disk_id"],
          f"left {left}, noted {disk}")
    ec2.delete_volume(VolumeId=disk)  # the README's `aws ec2 delete-volume --volume-id <data_disk_id>`
    check("after delete-volume nothing is tagged with the workshop", not tagged(ec2, name), json.dumps(tagged(ec2, name)))
    tagging = boto3.client("resourcegroupstaggingapi", region_name=region, endpoint_url=url,
                           aws_access_key_id="testing", aws_secret_access_key="testing")
    found = [r for r in tagging.get_resources(TagFilters=[{"Key": TAG, "Values": [name]}])["ResourceTagMappingList"]
             if exists(ec2, arn_kind(r["ResourceARN"]), r["ResourceARN"].rsplit("/", 1)[-1])]
    check("resourcegroupstaggingapi get-resources finds nothing (README's check)", not found, json.dumps([r["ResourceARN"] for r in found]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
