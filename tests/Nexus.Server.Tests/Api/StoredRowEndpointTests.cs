using System.Net;
using Microsoft.Data.Sqlite;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Server.Tests.Api;

/// <summary>A row an older Nexus (or a hand edit) left with values nothing can hold — a run time and timeout of
/// <see cref="long.MaxValue"/> ms, args and a result that are not JSON — is listed, read, cancelled and deleted like
/// any other, and never takes the task list down.</summary>
public sealed class StoredRowEndpointTests(SqliteServer server) : IClassFixture<SqliteServer>
{
    private ServerHost Host => server.Host;

    private async Task BreakAsync(long id)
    {
        var database = Path.Combine(Path.GetDirectoryName(Host.ArtifactsRoot)!, "nexus.db");
        await using var connection = new SqliteConnection($"Data Source={database}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE nexus_tasks SET run_at = $far, timeout_ms = $far, args = '{not json', result = 'nor this' WHERE id = $id";
        command.Parameters.AddWithValue("$far", long.MaxValue);
        command.Parameters.AddWithValue("$id", id);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    [Fact]
    public async Task ABrokenRow_IsListedReadCancelledAndDeleted()
    {
        using var client = Host.Admin();
        var id = await client.SubmitAsync("""{"plugin":"text.generate","args":{"filename":"d.txt","words":1},"delay":"1h"}""");
        await BreakAsync(id);

        var list = await (await client.GetAsync("/api/v1/tasks?limit=1000")).JsonAsync();
        Assert.Contains(list.GetProperty("items").EnumerateArray(), t => t.GetProperty("id").GetInt64() == id);
        var scheduled = await (await client.GetAsync("/api/v1/tasks?state=scheduled&limit=1000")).JsonAsync();
        var row = Assert.Single(scheduled.GetProperty("items").EnumerateArray(), t => t.GetProperty("id").GetInt64() == id);
        Assert.Equal("{not json", row.GetProperty("args").GetString());
        Assert.Equal(2_073_600_000, row.GetProperty("timeoutMs").GetInt64());
        Assert.Equal(9999, row.GetProperty("runAt").GetDateTimeOffset().Year);
        await (await client.GetAsync($"/api/v1/tasks/{id}")).JsonAsync();
        await (await client.PostAsync($"/api/v1/tasks/{id}/cancel", null)).JsonAsync();
        Assert.True((await client.DeleteAsync($"/api/v1/tasks/{id}")).IsSuccessStatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/tasks/{id}")).StatusCode);
    }
}
