using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Nexus.Server.Api;
using Nexus.Server.Hosting;

namespace Nexus.Server.Tests.Hosting;

/// <summary>Where settings come from and how the small parsers read them.</summary>
public sealed class ConfigurationTests
{
    [Fact]
    public void NexusEnvironmentVariables_MapBelowTheNexusSection()
    {
        var settings = ServerConfiguration.FromEnvironment(new Dictionary<string, string>
        {
            ["NEXUS_STORE"] = "postgres",
            ["NEXUS_AUTH__BOOTSTRAPKEY"] = "k",
            ["NEXUS_RATELIMIT__PERMITSPERSECOND"] = "5",
            ["NEXUS_TEST_POSTGRES"] = "Host=x",
            ["PATH"] = "/bin",
        });

        Assert.Equal("postgres", settings["Nexus:Store"]);
        Assert.Equal("k", settings["Nexus:Auth:BootstrapKey"]);
        Assert.Equal("5", settings["Nexus:RateLimit:PermitsPerSecond"]);
        Assert.Equal(3, settings.Count);
    }

    [Fact]
    public void Urls_ComeFromNexusUrls_ThenUrls_ThenTheDefault()
    {
        static string[] Urls(params (string, string?)[] values) =>
            ServerConfiguration.Urls(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Item1, v.Item2))).Build());

        Assert.Equal(["http://127.0.0.1:5080"], Urls());
        Assert.Equal(["http://127.0.0.1:1", "http://[::1]:1"], Urls(("urls", "http://127.0.0.1:1; http://[::1]:1")));
        Assert.Equal(["http://127.0.0.1:2"], Urls(("urls", "http://127.0.0.1:1"), ("Nexus:Urls", "http://127.0.0.1:2")));
    }

    [Fact]
    public void DevFlag_TurnsOnAnonymousLoopback()
    {
        Assert.Equal(["--Nexus:Auth:AnonymousLoopback=true", "--store", "sqlite"], ServerConfiguration.ExpandShortcuts(["--dev", "--store", "sqlite"]));
    }

    [Theory]
    [InlineData(null, "Data Source=./data/nexus.db")]
    [InlineData("  ", "Data Source=./data/nexus.db")]
    [InlineData("./data/other.db", "Data Source=./data/other.db")]
    [InlineData("/var/lib/nexus/a;b.db", "Data Source=\"/var/lib/nexus/a;b.db\"")]
    [InlineData("Data Source=/tmp/x.db;Cache=Shared", "Data Source=/tmp/x.db;Cache=Shared")]
    public void Sqlite_TakesAPathOrAConnectionString(string? value, string expected)
    {
        Assert.Equal(expected, SqliteSetting.ConnectionString(value));
        Assert.False(string.IsNullOrEmpty(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(SqliteSetting.ConnectionString(value)).DataSource));
    }

    [Theory]
    [InlineData("Datasource=x.db;Frobnicate=1", "is neither")]
    [InlineData("Cache=Shared", "names no database file")]
    public void Sqlite_RefusesWhatIsNeither_NamingTheSetting(string value, string says)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => SqliteSetting.ConnectionString(value));
        Assert.StartsWith("Nexus:Sqlite", ex.Message, StringComparison.Ordinal);
        Assert.Contains(says, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("30s", 30_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData("PT30S", 30_000)]
    [InlineData("1.5s", 1500)]
    public void Durations_ReadUnitsAndIso8601(string text, double ms)
    {
        Assert.True(Durations.TryParse(text, out var d));
        Assert.Equal(ms, d.TotalMilliseconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("5 minutes")]
    [InlineData("10")]
    [InlineData("P1X")]
    public void Durations_RefuseOtherText(string text) => Assert.False(Durations.TryParse(text, out _));

    [Theory]
    [InlineData("Nexus:Store", "mongodb", "Nexus:Store")]
    [InlineData("Nexus:Store", "postgres", "Nexus:Postgres")]
    [InlineData("Nexus:Auth:BootstrapKey", "short", "BootstrapKey")]
    [InlineData("Nexus:Auth:Jwt:Issuer", "https://i", "Audience")]
    [InlineData("Nexus:Auth:Jwt:Audience", "a", "Issuer")]
    [InlineData("Nexus:Auth:Oidc:Authority", "https://idp.example", "Nexus:Auth:Oidc:ClientId")]
    [InlineData("Nexus:Auth:Oidc:ClientId", "nexus", "Nexus:Auth:Oidc:Authority")]
    [InlineData("Nexus:Auth:Oidc:Authority", "http://idp.example", "must use https")]
    [InlineData("Nexus:Auth:Oidc:Authority", "idp.example", "Nexus:Auth:Oidc:Authority must be an absolute")]
    [InlineData("Nexus:RateLimit:PermitsPerSecond", "-1", "PermitsPerSecond")]
    [InlineData("Nexus:Server:MaxRequestBodyBytes", "10", "MaxRequestBodyBytes")]
    public void ABadSetting_StopsTheServerNamingIt(string key, string value, string named)
    {
        var ex = Assert.ThrowsAny<Exception>(() =>
        {
            var app = NexusServer.Build([], b => b.Configuration.AddInMemoryCollection([new(key, value), new("Nexus:Urls", "http://127.0.0.1:0")]));
            // Store settings are read when the store is first resolved.
            _ = app.Services.GetRequiredService<Nexus.Storage.INexusStore>();
        });
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Nexus:Auth:Oidc:ClientSecret", "", "Nexus:Auth:Oidc:ClientSecret is required")]
    [InlineData("Nexus:Auth:Oidc:Scopes", "profile email", "Nexus:Auth:Oidc:Scopes must include openid")]
    [InlineData("Nexus:Auth:Oidc:RoleClaim", "", "Nexus:Auth:Oidc:RoleClaim")]
    public void AnIncompleteOidcSetting_StopsTheServerNamingIt(string key, string value, string named)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Nexus:Auth:Oidc:Authority"] = "https://idp.example",
            ["Nexus:Auth:Oidc:ClientId"] = "nexus",
            ["Nexus:Auth:Oidc:ClientSecret"] = "a-client-secret",
            ["Nexus:Urls"] = "http://127.0.0.1:0",
        };
        settings[key] = value;
        var ex = Assert.Throws<InvalidOperationException>(() => NexusServer.Build([], b => b.Configuration.AddInMemoryCollection(settings)));
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("a-client-secret", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PostgresListen_OtherThanTrueOrFalse_StopsTheServerNamingIt()
    {
        var ex = Assert.ThrowsAny<Exception>(() =>
        {
            var app = NexusServer.Build([], b => b.Configuration.AddInMemoryCollection([
                new("Nexus:Store", "postgres"), new("Nexus:Postgres", "Host=127.0.0.1"), new("Nexus:PostgresListen", "sometimes"),
                new("Nexus:Urls", "http://127.0.0.1:0")]));
            _ = app.Services.GetRequiredService<Nexus.Storage.INexusStore>();
        });
        Assert.Contains("Nexus:PostgresListen", ex.Message, StringComparison.Ordinal);
        Assert.Contains("sometimes", ex.Message, StringComparison.Ordinal);
    }
}
