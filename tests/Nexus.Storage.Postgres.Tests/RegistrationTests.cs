using Microsoft.Extensions.DependencyInjection;
using Nexus.Hosting;
using Nexus.Storage.Postgres.Tests.Infrastructure;

namespace Nexus.Storage.Postgres.Tests;

/// <summary>UsePostgres wires the store into AddNexus.</summary>
public sealed class RegistrationTests
{
    [Fact]
    public async Task UsePostgres_RegistersOneStore_AsINexusStoreAndAsPostgresStore()
    {
        var server = await PostgresTestServer.GetAsync();
        var schema = server.NewSchema();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddNexus(n => n.UsePostgres(server.ConnectionString, o => o.Schema = schema));
        await using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<INexusStore>();
        var postgres = provider.GetRequiredService<PostgresStore>();

        Assert.Same(store, postgres);
        Assert.Equal(schema, postgres.Schema);
        Assert.True((await store.MigrateAsync()).Applied.Count > 0);
    }

    [Fact]
    public void UsePostgres_WithABadSchemaName_FailsAtRegistration()
    {
        var services = new ServiceCollection();

        var ex = Assert.Throws<ArgumentException>(() =>
            services.AddNexus(n => n.UsePostgres("Host=localhost", o => o.Schema = "jobs; drop table x")));

        Assert.Contains("jobs; drop table x", ex.Message, StringComparison.Ordinal);
    }
}
