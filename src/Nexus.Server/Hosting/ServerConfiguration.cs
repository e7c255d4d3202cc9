using System.Collections;

namespace Nexus.Server.Hosting;

/// <summary>
/// Where settings come from, lowest to highest: <c>appsettings.json</c> beside the server, an optional file named by
/// <c>--config path.json</c>, the environment (<c>NEXUS_STORE=postgres</c> is <c>Nexus:Store</c>;
/// <c>NEXUS_AUTH__BOOTSTRAPKEY</c> is <c>Nexus:Auth:BootstrapKey</c>: <c>NEXUS_</c>, the key below <c>Nexus:</c>, <c>__</c>
/// for <c>:</c>), and the command line (<c>--Nexus:Concurrency=8</c>, or the shortcuts <c>--store</c>,
/// <c>--postgres</c>, <c>--sqlite</c>, <c>--urls</c>, <c>--dev</c>).
/// </summary>
internal static class ServerConfiguration
{
    public const string DefaultUrl = "http://127.0.0.1:5080";
    public const string EnvironmentPrefix = "NEXUS_";

    private static readonly Dictionary<string, string> Switches = new(StringComparer.OrdinalIgnoreCase)
    {
        ["--store"] = "Nexus:Store",
        ["--postgres"] = "Nexus:Postgres",
        ["--sqlite"] = "Nexus:Sqlite",
        ["--urls"] = "Nexus:Urls",
    };

    /// <summary>Turns flag-only shortcuts into settings (<c>--dev</c> → anonymous loopback access).</summary>
    public static string[] ExpandShortcuts(string[] args) =>
        [.. args.Select(a => a.Equals("--dev", StringComparison.OrdinalIgnoreCase) ? "--Nexus:Auth:AnonymousLoopback=true" : a)];

    public static void AddSources(ConfigurationManager configuration, string[] args)
    {
        var file = new ConfigurationBuilder().AddCommandLine(args, Switches).Build()["config"];
        if (!string.IsNullOrWhiteSpace(file)) configuration.AddJsonFile(Path.GetFullPath(file), optional: false, reloadOnChange: false);
        configuration.AddInMemoryCollection(FromEnvironment(Environment.GetEnvironmentVariables()));
        configuration.AddCommandLine(args, Switches);
    }

    /// <summary><c>NEXUS_A__B=v</c> → <c>Nexus:A:B=v</c>. Variables of the test suites (<c>NEXUS_TEST_…</c>) are not settings.</summary>
    internal static Dictionary<string, string?> FromEnvironment(IDictionary variables)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in variables)
        {
            var name = (string)entry.Key;
            if (!name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase) || name.StartsWith("NEXUS_TEST_", StringComparison.OrdinalIgnoreCase)) continue;
            var key = name[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal);
            if (key.Length > 0) settings["Nexus:" + key] = entry.Value as string;
        }
        return settings;
    }

    /// <summary>The URLs of Kestrel's own endpoints (<c>Kestrel:Endpoints:{name}:Url</c>), which take precedence over
    /// <see cref="Urls"/> when present.</summary>
    public static IEnumerable<string> KestrelEndpointUrls(IConfiguration configuration) =>
        configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>().Where(u => !string.IsNullOrWhiteSpace(u));

    /// <summary>The addresses to listen on: <c>Nexus:Urls</c>, else the host's <c>urls</c>, else <see cref="DefaultUrl"/>.</summary>
    public static string[] Urls(IConfiguration configuration)
    {
        var value = configuration["Nexus:Urls"];
        if (string.IsNullOrWhiteSpace(value)) value = configuration["urls"];
        if (string.IsNullOrWhiteSpace(value)) value = DefaultUrl;
        return value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
