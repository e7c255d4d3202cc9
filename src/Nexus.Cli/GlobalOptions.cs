using System.CommandLine;
using Nexus.Client;

namespace Nexus.Cli;

/// <summary>Options every command takes: where the server is, the API key, and machine output.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string> Server = new("--server")
    {
        Description = "The Nexus server (env NEXUS_SERVER)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("NEXUS_SERVER") is { Length: > 0 } env
            ? env : NexusClientOptions.DefaultBaseAddress.AbsoluteUri.TrimEnd('/'),
    };

    public static readonly Option<string?> ApiKey = new("--api-key")
    {
        Description = "API key or JWT sent as Authorization: Bearer (env NEXUS_API_KEY)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("NEXUS_API_KEY") is { Length: > 0 } env ? env : null,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Machine output: one JSON document on stdout and nothing else",
        Recursive = true,
    };
}
