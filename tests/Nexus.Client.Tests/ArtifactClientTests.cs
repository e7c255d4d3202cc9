using System.Net;
using Nexus.Client.Tests.Infrastructure;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Client.Tests;

/// <summary><see cref="NexusClient.Artifacts"/>: a task's output listed and downloaded, every page walked, and the
/// server's refusals as <see cref="NexusApiException"/>s.</summary>
public sealed class ArtifactClientTests(SqliteServer fixture) : IClassFixture<SqliteServer>
{
    private ServerHost Host => fixture.Host;

    [Fact]
    public async Task ATasksOutput_IsListed_AndDownloadsByteForByte()
    {
        using var http = new HttpClient();
        var client = Clients.For(Host, http);
        var folder = Clients.NewName("client-art");
        var task = await client.Tasks.SubmitAsync(Clients.Story($"{folder}/my story.txt", words: 200));
        Assert.Equal("succeeded", (await client.WaitForAsync(task.Id)).State);

        var page = await client.Artifacts.ListAsync(folder + "/");
        using var copy = new MemoryStream();
        var download = await client.Artifacts.DownloadAsync($"{folder}/my story.txt", copy);

        var item = Assert.Single(page.Items);
        Assert.Equal($"{folder}/my story.txt", item.Path);
        Assert.Null(page.Next);
        var onDisk = await File.ReadAllBytesAsync(Path.Combine(Host.ArtifactsRoot, folder, "my story.txt"));
        Assert.Equal(onDisk, copy.ToArray());
        Assert.Equal(onDisk.Length, item.Bytes);
        Assert.Equal(onDisk.Length, download.Bytes);
        Assert.Equal("text/plain", download.ContentType);
        Assert.NotNull(download.ModifiedAt);
    }

    [Fact]
    public async Task ListAll_WalksEveryPage()
    {
        using var http = new HttpClient();
        var client = Clients.For(Host, http);
        var folder = Clients.NewName("client-many");
        Directory.CreateDirectory(Path.Combine(Host.ArtifactsRoot, folder));
        var names = Enumerable.Range(0, 1005).Select(i => $"{folder}/f{i:D4}.txt").ToList();
        foreach (var name in names) await File.WriteAllTextAsync(Path.Combine(Host.ArtifactsRoot, name), "x");

        var all = new List<string>();
        await foreach (var item in client.Artifacts.ListAllAsync(folder + "/")) all.Add(item.Path);

        Assert.Equal(names, all);
    }

    [Fact]
    public async Task Download_MissingOrOutside_IsRefusedNamingWhy()
    {
        using var http = new HttpClient();
        var client = Clients.For(Host, http);
        using var sink = new MemoryStream();

        var missing = await Assert.ThrowsAsync<NexusApiException>(() => client.Artifacts.DownloadAsync("no/such/file.png", sink));
        var outside = await Assert.ThrowsAsync<NexusApiException>(() => client.Artifacts.DownloadAsync("..\\nexus.db", sink));
        var prefix = await Assert.ThrowsAsync<NexusApiException>(() => client.Artifacts.ListAsync("/etc/"));

        Assert.Equal((HttpStatusCode.NotFound, "not-found"), (missing.Status, missing.Code));
        Assert.Equal((HttpStatusCode.BadRequest, "validation", "path"), (outside.Status, outside.Code, outside.Field));
        Assert.Equal("prefix", prefix.Field);
        Assert.Equal(0, sink.Length);
    }
}
