using System.CommandLine;
using Nexus.Cli.Output;
using Nexus.Client;

namespace Nexus.Cli;

/// <summary>What one command invocation works with: the client built from the global options and the printer.</summary>
internal sealed class CliContext : IDisposable
{
    private readonly HttpClient _http;

    private CliContext(HttpClient http, NexusClient client, Printer printer)
    {
        _http = http;
        Client = client;
        Printer = printer;
    }

    public NexusClient Client { get; }
    public Printer Printer { get; }

    /// <summary>The clock commands read (the CLI's composition root is the one place that picks the system clock).</summary>
    public TimeProvider Time { get; } = TimeProvider.System;
    public bool Json => Printer.Json;

    public static CliContext From(ParseResult parse)
    {
        var server = parse.GetValue(GlobalOptions.Server)!;
        if (!Uri.TryCreate(server, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
        {
            throw new CliUsageException($"--server must be an http:// or https:// address (was '{server}').");
        }
        // One generous timeout for the slowest call (a 1000-task batch on a busy server); waits poll in short calls.
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(100) };
        var client = new NexusClient(http, new NexusClientOptions { BaseAddress = address, ApiKey = parse.GetValue(GlobalOptions.ApiKey) });
        return new CliContext(http, client, new Printer(parse.GetValue(GlobalOptions.Json)));
    }

    public void Dispose() => _http.Dispose();
}
