namespace Nexus.Artifacts;

/// <summary>Settings of the artifact store, the claim check and attempt logs (configuration section
/// <c>Nexus:Artifacts</c>; see docs/workflows.md).</summary>
public sealed class ArtifactOptions
{
    /// <summary>Which store: <c>local</c> (default, a folder) or <c>s3</c> (an S3-compatible server; the host must
    /// reference <c>Nexus.Artifacts.S3</c>, as the server does).</summary>
    public string Store { get; set; } = "local";

    /// <summary>The folder of the local store. Default <c>./data/artifacts</c>, beside the default SQLite file.</summary>
    public string Path { get; set; } = "./data/artifacts";

    /// <summary>Task results larger than this many bytes (UTF-8 JSON) are stored as an artifact and the task keeps a
    /// reference (claim check). 0 turns the claim check off. Default 262,144 (256 KiB).</summary>
    public int InlineLimitBytes { get; set; } = 256 * 1024;

    /// <summary>Most log lines kept per attempt; lines past it are counted, not kept. Default 1,000.</summary>
    public int MaxLogLines { get; set; } = 1000;

    /// <summary>Most bytes of log text kept per attempt (UTF-8, lines included whole until the budget is spent).
    /// Default 262,144 (256 KiB).</summary>
    public int MaxLogBytes { get; set; } = 256 * 1024;

    /// <summary>Longest single log line kept, in characters; longer lines are cut with a note. Default 4,096.</summary>
    public int MaxLogLineLength { get; set; } = 4096;

    /// <summary>The S3-compatible store's settings when <see cref="Store"/> is <c>s3</c>.</summary>
    public S3ArtifactOptions S3 { get; set; } = new();
}

/// <summary>Settings of the S3-compatible store (<c>Nexus:Artifacts:S3</c>).</summary>
public sealed class S3ArtifactOptions
{
    /// <summary>The endpoint, for example <c>http://127.0.0.1:9000</c> (MinIO, s3rver, Ceph); null uses AWS's for <see cref="Region"/>.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>The bucket (must exist). Required.</summary>
    public string Bucket { get; set; } = "";

    /// <summary>A key prefix inside the bucket (for example <c>nexus/</c>); empty by default.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>The region that signs requests. Default <c>us-east-1</c>.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>Access key id; with <see cref="SecretKey"/> null the SDK's usual credential chain is used.</summary>
    public string? AccessKey { get; set; }

    /// <summary>Secret access key.</summary>
    public string? SecretKey { get; set; }

    /// <summary>Path-style addressing (<c>http://host/bucket/key</c>) instead of a bucket subdomain; what most
    /// S3-compatible servers need. Default true.</summary>
    public bool ForcePathStyle { get; set; } = true;
}
