namespace Nexus.Client;

/// <summary>Where the Nexus server is and how to authenticate to it.</summary>
public sealed class NexusClientOptions
{
    /// <summary>The default server address: <c>http://127.0.0.1:5080</c> (what <c>./build.sh run</c> listens on).</summary>
    public static readonly Uri DefaultBaseAddress = new("http://127.0.0.1:5080/");

    /// <summary>The server's base address (scheme, host, port, and an optional path prefix). Default
    /// <see cref="DefaultBaseAddress"/>.</summary>
    public Uri BaseAddress { get; set; } = DefaultBaseAddress;

    /// <summary>An API key (<c>nx_…</c>) or a JWT, sent as <c>Authorization: Bearer …</c> on every request.
    /// Default null: no credentials (a server in development mode accepts that from its own machine only).</summary>
    public string? ApiKey { get; set; }
}
