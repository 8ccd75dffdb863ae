//! Amazon EKS: the control plane, a core node group, an autoscaling user node
//! group with the Cluster Autoscaler, and EFS for the shared datasets volume.

use hcl::{Block, Expression};

use super::{
    CORE_DISK_GB, CORE_LABELS, Inputs, Service, USER_DISK_GB, USER_LABELS, attrs, block, iam_role,
};
use crate::data::images::images;
use crate::error::Error;
use crate::plan::KubernetesPlan;
use crate::plan::kubernetes::ClusterPlan;
use crate::targets::kubernetes::datasets::EFS_CLASS;
use crate::targets::kubernetes::terraform::{Module, label_map};
use crate::targets::terraform::expr;

/// The zone ids where EKS creates no control plane (Amazon EKS User Guide,
/// "Subnet requirements"): `us-east-1e` is `use1-az3` in every account.
const EKS_UNSUPPORTED_ZONE_IDS: &[&str] = &["use1-az3", "usw1-az2", "cac1-az3"];

/// EKS: the `aws` provider, an instance type for the core node.
pub(super) const EKS: Service = Service {
    provider: "aws",
    core_machine: Some("instance type"),
    variables: |_| Vec::new(),
    resources,
    kubeconfig: "aws eks update-kubeconfig --name ${aws_eks_cluster.this.name} --region ${var.region}",
};

fn resources(module: &mut Module, inputs: &Inputs) -> Result<(), Error> {
    module.main.push(
        attrs(block("provider", &["aws"]), &[("region", "var.region")])?
            .add_block(
                Block::builder("default_tags")
                    .add_attribute(("tags", label_map(inputs.plan)))
                    .build(),
            )
            .build(),
    );
    module.resource(
        block("data", &["aws_vpc", "default"])
            .add_attribute(("default", true))
            .build(),
        &["The region's default VPC and its public subnets: no NAT gateway to pay for."],
    );
    module.resource(
        block("data", &["aws_availability_zones", "eks"])
            .add_attribute(("state", "available"))
            .add_attribute((
                "exclude_zone_ids",
                Expression::Array(EKS_UNSUPPORTED_ZONE_IDS.iter().map(|&id| id.into()).collect()),
            ))
            .build(),
        &[
            "The zones EKS can place a control plane in: it refuses a subnet in the zones excluded here.",
            "checkov:skip=CKV_AWS_394: a deny list of the zones EKS refuses; an allow list would need updating for every region",
        ],
    );
    module.main.push(
        block("data", &["aws_subnets", "default"])
            .add_block(
                attrs(
                    Block::builder("filter"),
                    &[
                        ("name", "\"vpc-id\""),
                        ("values", "[data.aws_vpc.default.id]"),
                    ],
                )?
                .build(),
            )
            .add_block(
                attrs(
                    Block::builder("filter"),
                    &[("name", "\"default-for-az\""), ("values", "[\"true\"]")],
                )?
                .build(),
            )
            .add_block(
                attrs(
                    Block::builder("filter"),
                    &[
                        ("name", "\"availability-zone\""),
                        ("values", "data.aws_availability_zones.eks.names"),
                    ],
                )?
                .build(),
            )
            .build(),
    );
    control_plane(module)?;
    node_groups(module, inputs.cluster)?;
    addons_and_connection(module, inputs.k8s)
}

fn control_plane(module: &mut Module) -> Result<(), Error> {
    iam_role(
        module,
        "cluster",
        "eks.amazonaws.com",
        "[\"sts:AssumeRole\", \"sts:TagSession\"]",
        &["AmazonEKSClusterPolicy"],
    )?;
    iam_role(
        module,
        "nodes",
        "ec2.amazonaws.com",
        "[\"sts:AssumeRole\"]",
        &[
            "AmazonEKSWorkerNodePolicy",
            "AmazonEKS_CNI_Policy",
            "AmazonEC2ContainerRegistryReadOnly",
        ],
    )?;
    module.resource(
        attrs(
            block("resource", &["aws_kms_key", "eks"]),
            &[
                ("description", "\"Encryption key of the ${var.cluster_name} cluster (secrets, datasets)\""),
                ("enable_key_rotation", "true"),
                ("deletion_window_in_days", "7"),
            ],
        )?
        .build(),
        &["checkov:skip=CKV2_AWS_64: the default key policy (the account's root) is what EKS secret encryption needs"],
    );
    let eks_cluster = attrs(
        block("resource", &["aws_eks_cluster", "this"]),
        &[
            ("name", "var.cluster_name"),
            (
                "version",
                &format!("\"{}\"", images().cluster_autoscaler.kubernetes),
            ),
            ("role_arn", "aws_iam_role.cluster.arn"),
            (
                "enabled_cluster_log_types",
                "[\"api\", \"audit\", \"authenticator\", \"controllerManager\", \"scheduler\"]",
            ),
            ("depends_on", "[aws_iam_role_policy_attachment.cluster_0]"),
        ],
    )?
    .add_block(
        attrs(
            Block::builder("vpc_config"),
            &[
                ("subnet_ids", "data.aws_subnets.default.ids"),
                ("endpoint_public_access", "true"),
                ("endpoint_private_access", "true"),
            ],
        )?
        .build(),
    )
    .add_block(
        attrs(
            Block::builder("access_config"),
            &[
                ("authentication_mode", "\"API\""),
                ("bootstrap_cluster_creator_admin_permissions", "true"),
            ],
        )?
        .build(),
    )
    .add_block(
        Block::builder("encryption_config")
            .add_attribute(("resources", expr("[\"secrets\"]")?))
            .add_block(
                Block::builder("provider")
                    .add_attribute(("key_arn", expr("aws_kms_key.eks.arn")?))
                    .build(),
            )
            .build(),
    )
    .build();
    module.resource(
        eks_cluster,
        &[
            "The EKS control plane; whoever runs `terraform apply` becomes its admin.",
            "checkov:skip=CKV_AWS_39: the API must be reachable from the trainer's machine, whose address is unknown",
            "checkov:skip=CKV_AWS_38: as CKV_AWS_39, a CIDR allow list needs the trainer's address",
        ],
    );
    Ok(())
}

fn node_groups(module: &mut Module, cluster: &ClusterPlan) -> Result<(), Error> {
    let node_group = |name: &str,
                      instance: &str,
                      scaling: &[(&str, &str)],
                      labels: &str,
                      disk: u32| {
        let mut b = attrs(
            block("resource", &["aws_eks_node_group", name]),
            &[
                ("cluster_name", "aws_eks_cluster.this.name"),
                ("node_group_name_prefix", &format!("\"{name}-\"")),
                ("node_role_arn", "aws_iam_role.nodes.arn"),
                ("subnet_ids", "data.aws_subnets.default.ids"),
                ("instance_types", &format!("[{instance}]")),
                ("disk_size", &disk.to_string()),
                ("labels", labels),
                (
                    "depends_on",
                    "[aws_iam_role_policy_attachment.nodes_0, aws_iam_role_policy_attachment.nodes_1, aws_iam_role_policy_attachment.nodes_2]",
                ),
            ],
        )?
        .add_block(attrs(Block::builder("scaling_config"), scaling)?.build());
        if name == "users" {
            b = b
                .add_block(
                    Block::builder("taint")
                        .add_attribute(("key", "hub.jupyter.org/dedicated"))
                        .add_attribute(("value", "user"))
                        .add_attribute(("effect", "NO_SCHEDULE"))
                        .build(),
                )
                .add_block(
                    Block::builder("lifecycle")
                        .add_attribute((
                            "ignore_changes",
                            expr("[scaling_config[0].desired_size]")?,
                        ))
                        .build(),
                );
        }
        Ok::<_, Error>(b.build())
    };
    module.resource(
        node_group(
            "core",
            "var.core_node_type",
            &[("desired_size", "1"), ("min_size", "1"), ("max_size", "1")],
            CORE_LABELS,
            CORE_DISK_GB,
        )?,
        &["The core node: hub, proxy, user scheduler, TLS, cluster autoscaler."],
    );
    module.resource(
        node_group(
            "users",
            "var.node_type",
            &[
                ("desired_size", "max(var.min_nodes, 1)"),
                ("min_size", "var.min_nodes"),
                ("max_size", "var.max_nodes"),
            ],
            USER_LABELS,
            USER_DISK_GB,
        )?,
        &[&format!(
            "The user nodes: {} users each; the cluster autoscaler below moves between min and max.",
            cluster.users_per_node
        )],
    );
    Ok(())
}

fn addons_and_connection(module: &mut Module, k8s: &KubernetesPlan) -> Result<(), Error> {
    module.main.push(
        attrs(
            block("resource", &["aws_eks_addon", "pod_identity"]),
            &[
                ("cluster_name", "aws_eks_cluster.this.name"),
                ("addon_name", "\"eks-pod-identity-agent\""),
            ],
        )?
        .build(),
    );
    autoscaler(module)?;
    ebs_default_class(module)?;
    if !k8s.datasets.copied.is_empty() {
        efs(module)?;
    }
    module.connection.attributes = vec![
        ("host", expr("aws_eks_cluster.this.endpoint")?),
        (
            "cluster_ca_certificate",
            expr("base64decode(aws_eks_cluster.this.certificate_authority[0].data)")?,
        ),
    ];
    module.connection.exec = vec![
        (
            "api_version",
            Expression::from("client.authentication.k8s.io/v1beta1"),
        ),
        ("command", Expression::from("aws")),
        (
            "args",
            expr(
                "[\"eks\", \"get-token\", \"--cluster-name\", aws_eks_cluster.this.name, \"--region\", var.region]",
            )?,
        ),
    ];
    module.chart_depends_on.extend([
        "aws_eks_node_group.core".to_owned(),
        "aws_eks_node_group.users".to_owned(),
    ]);
    Ok(())
}

fn autoscaler(module: &mut Module) -> Result<(), Error> {
    iam_role(
        module,
        "autoscaler",
        "pods.eks.amazonaws.com",
        "[\"sts:AssumeRole\", \"sts:TagSession\"]",
        &[],
    )?;
    let policy = block("data", &["aws_iam_policy_document", "autoscaler_access"])
        .add_block(
            attrs(
                Block::builder("statement"),
                &[
                    (
                        "actions",
                        "[\"autoscaling:DescribeAutoScalingGroups\", \"autoscaling:DescribeAutoScalingInstances\", \"autoscaling:DescribeLaunchConfigurations\", \"autoscaling:DescribeScalingActivities\", \"autoscaling:DescribeTags\", \"ec2:DescribeImages\", \"ec2:DescribeInstanceTypes\", \"ec2:DescribeLaunchTemplateVersions\", \"ec2:GetInstanceTypesFromInstanceRequirements\", \"eks:DescribeNodegroup\"]",
                    ),
                    ("resources", "[\"*\"]"),
                ],
            )?
            .build(),
        )
        .add_block(
            attrs(
                Block::builder("statement"),
                &[
                    (
                        "actions",
                        "[\"autoscaling:SetDesiredCapacity\", \"autoscaling:TerminateInstanceInAutoScalingGroup\"]",
                    ),
                    ("resources", "[\"*\"]"),
                ],
            )?
            .add_block(
                attrs(
                    Block::builder("condition"),
                    &[
                        ("test", "\"StringEquals\""),
                        (
                            "variable",
                            "\"aws:ResourceTag/k8s.io/cluster-autoscaler/${var.cluster_name}\"",
                        ),
                        ("values", "[\"owned\"]"),
                    ],
                )?
                .build(),
            )
            .build(),
        )
        .build();
    module.resource(
        policy,
        &[
            "The Cluster Autoscaler's permissions, as its AWS guide lists them; changes only this cluster's groups.",
            "checkov:skip=CKV_AWS_356: Describe* calls take no resource ARN; the write calls are limited by tag",
        ],
    );
    autoscaler_release(module)?;
    Ok(())
}

fn autoscaler_release(module: &mut Module) -> Result<(), Error> {
    let pin = &images().cluster_autoscaler;
    module.main.push(
        attrs(
            block("resource", &["aws_iam_role_policy", "autoscaler"]),
            &[
                ("name_prefix", "\"cluster-autoscaler-\""),
                ("role", "aws_iam_role.autoscaler.id"),
                (
                    "policy",
                    "data.aws_iam_policy_document.autoscaler_access.json",
                ),
            ],
        )?
        .build(),
    );
    module.main.push(
        attrs(
            block(
                "resource",
                &["aws_eks_pod_identity_association", "autoscaler"],
            ),
            &[
                ("cluster_name", "aws_eks_cluster.this.name"),
                ("namespace", "\"kube-system\""),
                ("service_account", "\"cluster-autoscaler\""),
                ("role_arn", "aws_iam_role.autoscaler.arn"),
            ],
        )?
        .build(),
    );
    let release = attrs(
        block("resource", &["helm_release", "cluster_autoscaler"]),
        &[
            ("name", "\"cluster-autoscaler\""),
            ("repository", &format!("\"{}\"", pin.chart_repo)),
            ("chart", &format!("\"{}\"", pin.chart)),
            ("version", &format!("\"{}\"", pin.chart_version)),
            ("namespace", "\"kube-system\""),
            (
                "set",
                &"[{ name = \"autoDiscovery.clusterName\", value = aws_eks_cluster.this.name }, { name = \"awsRegion\", value = var.region }, { name = \"rbac.serviceAccount.name\", value = \"cluster-autoscaler\" }, { name = \"image.tag\", value = \"IMAGE_TAG\" }, { name = \"nodeSelector.hub\\\\.jupyter\\\\.org/node-purpose\", value = \"core\" }]"
                    .replace("IMAGE_TAG", pin.image_tag),
            ),
            (
                "depends_on",
                "[aws_eks_pod_identity_association.autoscaler, aws_eks_addon.pod_identity, aws_eks_node_group.core]",
            ),
        ],
    )?
    .build();
    module.resource(
        release,
        &["EKS node groups do not scale by themselves: the Cluster Autoscaler finds them by their tags."],
    );
    Ok(())
}

fn efs(module: &mut Module) -> Result<(), Error> {
    module.resource(
        attrs(
            block("resource", &["aws_security_group", "efs"]),
            &[
                ("name_prefix", "\"${var.cluster_name}-efs-\""),
                (
                    "description",
                    "\"NFS from the cluster's VPC to the datasets file system\"",
                ),
                ("vpc_id", "data.aws_vpc.default.id"),
            ],
        )?
        .add_block(
            attrs(
                Block::builder("ingress"),
                &[
                    ("description", "\"NFS from the VPC\""),
                    ("from_port", "2049"),
                    ("to_port", "2049"),
                    ("protocol", "\"tcp\""),
                    ("cidr_blocks", "[data.aws_vpc.default.cidr_block]"),
                ],
            )?
            .build(),
        )
        .build(),
        &["The shared datasets volume on EFS (ReadWriteMany), reached over NFS inside the VPC."],
    );
    module.resource(
        attrs(
            block("resource", &["aws_efs_file_system", "datasets"]),
            &[
                ("creation_token", "\"${var.cluster_name}-datasets\""),
                ("encrypted", "true"),
                ("kms_key_id", "aws_kms_key.eks.arn"),
            ],
        )?
        .build(),
        &[],
    );
    module.main.push(
        attrs(
            block("resource", &["aws_efs_mount_target", "datasets"]),
            &[
                ("for_each", "toset(data.aws_subnets.default.ids)"),
                ("file_system_id", "aws_efs_file_system.datasets.id"),
                ("subnet_id", "each.value"),
                ("security_groups", "[aws_security_group.efs.id]"),
            ],
        )?
        .build(),
    );
    efs_driver(module)?;
    Ok(())
}

fn efs_driver(module: &mut Module) -> Result<(), Error> {
    csi_driver(
        module,
        "efs_csi",
        "aws-efs-csi-driver",
        "service-role/AmazonEFSCSIDriverPolicy",
    )?;
    module.resource(
        attrs(
            block("resource", &["kubernetes_storage_class_v1", "efs"]),
            &[
                ("storage_provisioner", "\"efs.csi.aws.com\""),
                (
                    "parameters",
                    "{ provisioningMode = \"efs-ap\", fileSystemId = aws_efs_file_system.datasets.id, directoryPerms = \"775\", uid = \"1000\", gid = \"100\" }",
                ),
                ("depends_on", "[aws_eks_addon.efs_csi, aws_efs_mount_target.datasets]"),
            ],
        )?
        .add_block(
            Block::builder("metadata")
                .add_attribute(("name", EFS_CLASS))
                .build(),
        )
        .build(),
        &["The class the datasets claim uses: each claim gets an EFS access point owned by the users' uid."],
    );
    Ok(())
}

/// An AWS CSI driver as an EKS add-on (`addon`), its controller's service
/// account `<addon minus aws->-controller-sa` given the managed `policy`
/// through EKS Pod Identity; `name` labels the role and the add-on.
fn csi_driver(module: &mut Module, name: &str, addon: &str, policy: &str) -> Result<(), Error> {
    iam_role(
        module,
        name,
        "pods.eks.amazonaws.com",
        "[\"sts:AssumeRole\", \"sts:TagSession\"]",
        &[policy],
    )?;
    let account = format!(
        "\"{}-controller-sa\"",
        addon.trim_start_matches("aws-").trim_end_matches("-driver")
    );
    module.main.push(
        attrs(
            block("resource", &["aws_eks_addon", name]),
            &[
                ("cluster_name", "aws_eks_cluster.this.name"),
                ("addon_name", &format!("\"{addon}\"")),
                (
                    "depends_on",
                    "[aws_eks_addon.pod_identity, aws_eks_node_group.core]",
                ),
            ],
        )?
        .add_block(
            attrs(
                Block::builder("pod_identity_association"),
                &[
                    ("role_arn", &format!("aws_iam_role.{name}.arn")),
                    ("service_account", &account),
                ],
            )?
            .build(),
        )
        .build(),
    );
    Ok(())
}

/// Block storage for the hub's database and every user's home: EKS 1.30 and
/// later create no StorageClass, and neither the chart nor KubeSpawner names
/// one, so without a default class their claims stay Pending.
fn ebs_default_class(module: &mut Module) -> Result<(), Error> {
    csi_driver(
        module,
        "ebs_csi",
        "aws-ebs-csi-driver",
        "service-role/AmazonEBSCSIDriverPolicy",
    )?;
    module.resource(
        attrs(
            block("resource", &["kubernetes_storage_class_v1", "gp3"]),
            &[
                ("storage_provisioner", "\"ebs.csi.aws.com\""),
                ("volume_binding_mode", "\"WaitForFirstConsumer\""),
                ("allow_volume_expansion", "true"),
                ("reclaim_policy", "\"Delete\""),
                (
                    "parameters",
                    "{ type = \"gp3\", encrypted = \"true\", kmsKeyId = aws_kms_key.eks.arn }",
                ),
                ("depends_on", "[aws_eks_addon.ebs_csi]"),
            ],
        )?
        .add_block(
            attrs(
                Block::builder("metadata"),
                &[
                    ("name", "\"gp3\""),
                    (
                        "annotations",
                        "{ \"storageclass.kubernetes.io/is-default-class\" = \"true\" }",
                    ),
                ],
            )?
            .build(),
        )
        .build(),
        &["The default class: encrypted gp3 volumes for the hub's database and the users' homes, made in the zone of the pod that first uses them."],
    );
    module
        .chart_depends_on
        .push("kubernetes_storage_class_v1.gp3".to_owned());
    Ok(())
}
