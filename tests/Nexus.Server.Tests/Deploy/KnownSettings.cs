using System.Reflection;
using Nexus.Hosting;
using Nexus.Plugins.Samples;
using Nexus.Server.Auth;
using Nexus.Server.Hosting;

namespace Nexus.Server.Tests.Deploy;

/// <summary>The settings the server reads, by configuration key (case-insensitive): the bound options classes' properties
/// (found by reflection, so a renamed option fails the deploy tests) and the keys the composition root reads itself.
/// An environment variable of a deploy file must name one of them (<c>NEXUS_A__B</c> → <c>Nexus:A:B</c>).</summary>
public static class KnownSettings
{
    /// <summary>Keys read directly by the composition root (NexusServer, StoreSelection, ObservabilitySetup).</summary>
    private static readonly string[] Direct =
    [
        "Nexus:Store", "Nexus:Sqlite", "Nexus:Postgres", "Nexus:PostgresSchema", "Nexus:PostgresListen", "Nexus:Urls", "Nexus:ArtifactsRoot",
        NodeRoles.Key, "Nexus:Logging:Json", Nexus.Server.Observability.ObservabilitySetup.OtlpEndpointKey,
    ];

    /// <summary>Variables other than NEXUS_ ones that deploy files may set: the runtime's and OpenTelemetry's own.</summary>
    private static readonly string[] ForeignPrefixes = ["DOTNET_", "ASPNETCORE_", "OTEL_"];

    public static IReadOnlySet<string> Keys { get; } = Build();

    /// <summary>Whether the environment variable <paramref name="name"/> configures something the server reads.</summary>
    public static bool IsRead(string name)
    {
        if (ForeignPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal))) return true;
        var settings = ServerConfiguration.FromEnvironment(new Dictionary<string, string> { [name] = "x" });
        return settings.Count == 1 && Keys.Contains(settings.Keys.Single());
    }

    private static HashSet<string> Build()
    {
        var keys = new HashSet<string>(Direct, StringComparer.OrdinalIgnoreCase);
        Add(keys, "Nexus", typeof(NexusOptions));
        Add(keys, NexusServerOptions.Section, typeof(NexusServerOptions));
        Add(keys, RateLimitOptions.Section, typeof(RateLimitOptions));
        Add(keys, NexusAuthOptions.Section, typeof(NexusAuthOptions));
        Add(keys, "Nexus:Samples", typeof(SamplePluginsOptions));
        Add(keys, "Nexus:Artifacts", typeof(Nexus.Artifacts.ArtifactOptions));
        return keys;
    }

    private static void Add(HashSet<string> keys, string prefix, Type type)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            var key = prefix + ":" + property.Name;
            var t = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (t.IsClass && t != typeof(string) && !typeof(System.Collections.IEnumerable).IsAssignableFrom(t)) Add(keys, key, t);
            else keys.Add(key);
        }
    }
}
