// The shape of every embedded table. Compiled three times: by the build
// script (owned types, to read the YAML and write the statics), by the
// library (static types: `Str` is `&'static str`, `List<T>` a `&'static
// [T]`, `Map` a sorted slice) and by the tests (owned again, to read the YAML
// at test time with the library's own parser and compare). The including
// module defines `Str`, `List`, `Map` and the `tables!` macro that adds the
// derives each context needs.

tables! {
    /// `targets/datasets.yaml`: the dataset catalogue.
    pub struct Catalogue {
        pub datasets: Map<Str, CatalogueEntry>,
    }

    /// How a catalogue dataset is packed.
    #[derive(Copy, Eq)]
    #[serde(rename_all(deserialize = "lowercase"))]
    pub enum Format {
        Zip,
        Root,
    }

    /// One catalogue dataset.
    pub struct CatalogueEntry {
        pub title: Str,
        #[serde(default)]
        pub release: Option<Str>,
        #[serde(default)]
        pub description: Str,
        pub format: Format,
        pub files: List<CatalogueFile>,
        /// Bytes on disk after unpacking.
        pub unpacked_size: u64,
        #[serde(default)]
        pub xrootd: Option<Str>,
        /// The unzipped files over plain HTTPS, one URL per collection folder.
        #[serde(default)]
        pub http_mirror: Option<Str>,
        /// Too big to copy for a class: targets that can should let notebooks
        /// read it remotely (`http_mirror` or `xrootd`) instead.
        #[serde(default)]
        pub stream: bool,
        #[serde(default)]
        pub checksum_note: Option<Str>,
        /// The files are listed at apply time, from the release's metadata (the
        /// atlasopenmagic API); `files` then holds only those whose size and checksum
        /// the record publishes, to check them by.
        #[serde(default)]
        pub resolve: Option<Resolve>,
        /// Where the unpacked collection goes below the datasets root: its folder's path
        /// below `/eos/opendata/atlas/`, where `set_release(R, local_path=/data)` reads it.
        /// The fetcher links it there (a relative symlink to the unpacked folder).
        #[serde(default)]
        pub layout: Option<Str>,
    }

    /// A skim of a release whose file list the fetcher asks the atlasopenmagic API for.
    pub struct Resolve {
        /// The release key, as `atlasopenmagic.set_release` takes it.
        pub release: Str,
        /// The skim (`skim_type` in the API's answer).
        pub skim: Str,
        /// The API's base URL (atlasopenmagic's default; `ATLAS_API_BASE_URL` overrides it).
        pub api: Str,
        /// Where the files are read over HTTPS: the API's `root://` URLs with their host
        /// replaced by this one (atlasopenmagic's `protocol='https'`).
        pub https: Str,
        /// Bytes of every file of the skim: an estimate (see the entry's notes).
        pub size: u64,
    }

    /// One file of a catalogue dataset.
    pub struct CatalogueFile {
        pub url: Str,
        /// Download size in bytes.
        pub size: u64,
        /// Whether `size` is the exact byte count (else a rounded publisher figure).
        #[serde(default)]
        pub size_exact: bool,
        #[serde(default)]
        pub sha256: Option<Str>,
        /// The Adler-32 (8 hex digits) that CERN Open Data publishes for the file.
        #[serde(default)]
        pub adler32: Option<Str>,
    }

    /// `targets/images.yaml`: pinned images and packages.
    pub struct Images {
        pub hub: HubImagePins,
        pub proxy: PinnedImage,
        pub presets: Map<Str, PresetImage>,
        pub nbgitpuller: PinnedPackage,
        pub z2jh: Z2jh,
        pub cluster_autoscaler: ChartPinData,
    }

    /// A Helm chart pin.
    pub struct ChartPinData {
        pub chart: Str,
        pub chart_repo: Str,
        pub chart_version: Str,
        /// The Kubernetes minor version the cluster is created with, e.g. `1.35`.
        pub kubernetes: Str,
        /// The autoscaler image tag the chart runs; its minor is `kubernetes`.
        pub image_tag: Str,
    }

    /// The hub image and the pip pins for it.
    pub struct HubImagePins {
        pub image: Str,
        pub jupyterhub: Str,
        pub packages: Map<Str, Str>,
    }

    pub struct PinnedImage {
        pub image: Str,
    }

    pub struct PresetImage {
        pub image: Str,
        pub description: Str,
        pub jupyterhub: Str,
        pub has_nbgitpuller: bool,
        /// The platforms the image is published for (`linux/amd64`, `linux/arm64`).
        pub platforms: List<Str>,
        /// Disk to budget for pulling and unpacking the image, in GB.
        pub disk_budget_gb: u64,
    }

    pub struct PinnedPackage {
        pub package: Str,
        pub version: Str,
    }

    pub struct Z2jh {
        pub chart: Str,
        pub chart_repo: Str,
        pub chart_version: Str,
        pub jupyterhub: Str,
    }

    /// `targets/<cloud>/regions.yaml`.
    pub struct Regions {
        pub regions: List<Region>,
    }

    pub struct Region {
        pub code: Str,
        #[serde(default)]
        pub name: Str,
        #[serde(default)]
        pub zones: List<Str>,
        /// The machine series the region offers (`E2`, `N2`, ...), where the table records them.
        #[serde(default)]
        pub series: Option<List<Str>>,
    }

    /// `targets/<cloud>/instances.yaml`.
    pub struct InstanceTable {
        /// The date the prices were read, `YYYY-MM-DD`.
        pub prices_read: Str,
        pub currency: Str,
        #[serde(default)]
        pub price_kind: Str,
        /// Regions with no price for any type in the sources: there a missing
        /// price means "not known", not "not offered".
        #[serde(default)]
        pub unpriced_regions: List<Str>,
        pub instances: List<InstanceType>,
    }

    pub struct InstanceType {
        #[serde(rename(deserialize = "type"))]
        pub name: Str,
        pub vcpu: u32,
        pub memory_gib: f64,
        /// Hourly price per region where the type is offered (and priced).
        pub prices: Map<Str, f64>,
        /// Runs on CPU credits (AWS T3): a class at full CPU exhausts them and is
        /// throttled, or billed for the surplus. `auto` never picks such a type.
        #[serde(default)]
        pub burstable: bool,
    }

    /// `targets/terraform.yaml`: the Terraform and provider versions the modules pin.
    pub struct TerraformPins {
        pub terraform: Str,
        pub providers: Map<Str, ProviderPin>,
    }

    pub struct ProviderPin {
        pub source: Str,
        pub version: Str,
    }

    /// `targets/aws/vm.yaml`: how the `aws` target builds its VM.
    pub struct AwsVm {
        pub ssh_user: Str,
        pub ami_owner: Str,
        pub ami_name: Str,
        pub volume_type: Str,
        pub data_device_name: Str,
        pub data_device_by_id: Str,
        pub vpc_cidr: Str,
        pub subnet_cidr: Str,
    }

    /// `targets/gcp/vm.yaml`: how the `gcp` target builds its VM.
    pub struct GcpVm {
        pub ssh_user: Str,
        pub image_project: Str,
        pub image_family: Str,
        pub disk_type: Str,
        pub data_device_name: Str,
        pub subnet_cidr: Str,
        pub network_tag: Str,
    }

    /// `targets/openstack/vm.yaml`: how the `openstack` target builds its VM.
    pub struct OpenstackVm {
        pub ssh_user: Str,
        pub virtio_prefix: Str,
        pub scsi_prefix: Str,
    }
}
