using Npgsql;

namespace Nexus.Storage.Postgres.Tests;

/// <summary>The settings <see cref="PostgresStore.Create"/> adds to a connection string that does not name them: the
/// defaults are the fast path, and a connection string that names one keeps its own value.</summary>
public sealed class ConnectionDefaultsTests
{
    private const string Plain = "Host=127.0.0.1;Port=5432;Username=nexus;Database=nexus";

    private static async Task<NpgsqlConnectionStringBuilder> SettingsOfAsync(string connectionString)
    {
        await using var store = PostgresStore.Create(connectionString, o => o.Listen = false);
        return new NpgsqlConnectionStringBuilder(store.DataSource.ConnectionString);
    }

    [Fact]
    public async Task APlainConnectionString_GetsAutoPrepare_NoJit_AndNoResetOnClose()
    {
        var settings = await SettingsOfAsync(Plain);

        Assert.Equal(64, settings.MaxAutoPrepare);
        Assert.Contains("jit=off", settings.Options, StringComparison.Ordinal);
        Assert.True(settings.NoResetOnClose);
    }

    [Theory]
    [InlineData("No Reset On Close=false")]
    [InlineData("noresetonclose=False")]
    public async Task AConnectionStringThatAsksForTheReset_KeepsIt(string setting)
    {
        var settings = await SettingsOfAsync($"{Plain};{setting}");

        Assert.False(settings.NoResetOnClose);
    }

    [Fact]
    public async Task AConnectionStringThatSetsAutoPrepare_KeepsItsValue()
    {
        var settings = await SettingsOfAsync($"{Plain};Max Auto Prepare=8");

        Assert.Equal(8, settings.MaxAutoPrepare);
    }
}
