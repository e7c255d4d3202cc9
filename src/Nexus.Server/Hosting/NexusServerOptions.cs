namespace Nexus.Server.Hosting;

/// <summary>HTTP settings of the server (section <c>Nexus:Server</c>).</summary>
public sealed class NexusServerOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Nexus:Server";

    /// <summary>Largest request body accepted, in bytes; larger ones get 413. Default 4 MiB (args are capped separately
    /// by <c>Nexus:MaxArgsBytes</c>, 1 MiB by default).</summary>
    public long MaxRequestBodyBytes { get; set; } = 4L << 20;

    /// <summary>Most tasks in one batch submit. Default 1000.</summary>
    public int MaxBatchSize { get; set; } = 1000;

    /// <summary>Most tasks one dead-letter retry or purge call touches. Default 1000 (at most 10,000).</summary>
    public int MaxBulk { get; set; } = 1000;

    /// <summary>Seconds a client is told to wait (Retry-After) when a queue is full or the store is unavailable. Default 5.</summary>
    public int RetryAfterSeconds { get; set; } = 5;

    /// <summary>Register the demo workflows (the <c>pipeline</c>) at start. Default true.</summary>
    public bool RegisterDemoWorkflows { get; set; } = true;

    /// <summary>Serve the OpenAPI document (<c>/openapi/v1.json</c>) and the API reference page (<c>/docs</c>) without
    /// credentials. They describe the API, never its data. Default true.</summary>
    public bool PublicApiReference { get; set; } = true;

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the setting that is out of range.</summary>
    public void Validate()
    {
        if (MaxRequestBodyBytes < 1024) throw new InvalidOperationException($"{Section}:MaxRequestBodyBytes must be at least 1024 (was {MaxRequestBodyBytes}).");
        if (MaxBatchSize is < 1 or > 100_000) throw new InvalidOperationException($"{Section}:MaxBatchSize must be between 1 and 100000 (was {MaxBatchSize}).");
        if (MaxBulk is < 1 or > Storage.BulkTaskParams.MaxLimit) throw new InvalidOperationException($"{Section}:MaxBulk must be between 1 and {Storage.BulkTaskParams.MaxLimit} (was {MaxBulk}).");
        if (RetryAfterSeconds is < 1 or > 3600) throw new InvalidOperationException($"{Section}:RetryAfterSeconds must be between 1 and 3600 (was {RetryAfterSeconds}).");
    }
}

/// <summary>Request rate limits per caller (section <c>Nexus:RateLimit</c>): a token bucket per API key, JWT subject,
/// or (for requests without credentials) client address.</summary>
public sealed class RateLimitOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Nexus:RateLimit";

    /// <summary>Requests per second a caller may sustain; 0 turns rate limiting off. Default 1000.</summary>
    public int PermitsPerSecond { get; set; } = 1000;

    /// <summary>Requests a caller may send at once after being idle (the bucket size). Default 2000.</summary>
    public int Burst { get; set; } = 2000;

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the setting that is out of range.</summary>
    public void Validate()
    {
        if (PermitsPerSecond < 0) throw new InvalidOperationException($"{Section}:PermitsPerSecond must not be negative (was {PermitsPerSecond}).");
        if (PermitsPerSecond > 0 && Burst < 1) throw new InvalidOperationException($"{Section}:Burst must be at least 1 (was {Burst}).");
    }
}
