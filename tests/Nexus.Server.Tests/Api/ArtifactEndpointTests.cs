using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Server.Tests.Api;

/// <summary>/api/v1/artifacts over HTTP: what the plugins wrote, listed in pages and downloaded (whole or by range),
/// with the plugins' path confinement, viewers allowed and queue-limited keys refused.</summary>
public sealed class ArtifactEndpointTests(SqliteServer fixture) : IClassFixture<SqliteServer>
{
    private ServerHost Host => fixture.Host;

    /// <summary>A folder of its own under the root for each test, so tests sharing the server do not see each other's files.</summary>
    private string NewFolder() => "a-" + Guid.NewGuid().ToString("N")[..10];

    private void Write(string relative, string content)
    {
        var path = Path.Combine(Host.ArtifactsRoot, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    private async Task<string> CreateKeyAsync(string role, string? queuesJson = null)
    {
        using var admin = Host.Admin();
        var body = $$"""{"name":"{{role}}-{{Guid.NewGuid():N}}","role":"{{role}}"{{(queuesJson is null ? "" : $",\"queues\":{queuesJson}")}}}""";
        return (await (await admin.PostJsonAsync("/api/v1/keys", body)).JsonAsync(HttpStatusCode.Created)).GetProperty("key").GetString()!;
    }

    [Fact]
    public async Task WhatATaskWrote_IsListed_AndDownloads()
    {
        using var client = Host.Admin();
        var folder = NewFolder();
        var id = await client.SubmitAsync($$$"""{"plugin":"text.generate","args":{"filename":"{{{folder}}}/story.txt","words":300,"seed":2}}""");
        var task = await client.WaitForStateAsync(id, "succeeded");

        var list = await (await client.GetAsync($"/api/v1/artifacts?prefix={folder}/")).JsonAsync();
        var item = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal($"{folder}/story.txt", item.GetProperty("path").GetString());
        Assert.Equal(task.GetProperty("result").GetProperty("bytes").GetInt64(), item.GetProperty("bytes").GetInt64());
        Assert.True(item.GetProperty("modifiedAt").GetDateTimeOffset() > DateTimeOffset.UnixEpoch);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, list.GetProperty("next").ValueKind);

        var response = await client.GetAsync($"/api/v1/artifacts/{folder}/story.txt");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(Host.ArtifactsRoot, folder, "story.txt")), bytes);
    }

    [Fact]
    public async Task Download_WithARange_Answers206WithThoseBytes()
    {
        using var client = Host.Admin();
        var folder = NewFolder();
        Write($"{folder}/digits.bin", "0123456789");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/artifacts/{folder}/digits.bin");
        request.Headers.Range = new RangeHeaderValue(2, 5);

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal("2345", await response.Content.ReadAsStringAsync());
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(10, response.Content.Headers.ContentRange?.Length);
    }

    [Fact]
    public async Task Download_HonoursHead_ETags_AndRangesPastTheEnd()
    {
        using var client = Host.Admin();
        var folder = NewFolder();
        Write($"{folder}/d.json", "{}");
        var url = $"/api/v1/artifacts/{folder}/d.json";

        var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));
        using var conditional = new HttpRequestMessage(HttpMethod.Get, url);
        conditional.Headers.IfNoneMatch.Add(head.Headers.ETag!);
        var unchanged = await client.SendAsync(conditional);
        using var past = new HttpRequestMessage(HttpMethod.Get, url);
        past.Headers.Range = new RangeHeaderValue(100, 200);
        var beyond = await client.SendAsync(past);

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal("application/json", head.Content.Headers.ContentType?.MediaType);
        Assert.Equal(2, head.Content.Headers.ContentLength);
        Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, beyond.StatusCode);
    }

    [Fact]
    public async Task List_PagesInPathOrder_WithTheAfterCursor_AndFiltersByPrefix()
    {
        using var client = Host.Admin();
        var folder = NewFolder();
        string[] names = ["b.txt", "a.txt", "sub/c.txt", "sub/deeper/d.txt", "e.txt"];
        foreach (var name in names) Write($"{folder}/{name}", name);
        Write($"{folder}/.e.txt.0123.partial", "being written"); // a plugin's temporary: never listed
        Write($"{folder}-other/x.txt", "x");

        var seen = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var url = $"/api/v1/artifacts?prefix={folder}/&limit=2" + (after is null ? "" : "&after=" + Uri.EscapeDataString(after));
            var page = await (await client.GetAsync(url)).JsonAsync();
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("path").GetString()!));
            after = page.GetProperty("next").GetString();
            pages++;
        }
        while (after is not null && pages < 10);

        Assert.Equal(names.Select(n => $"{folder}/{n}").Order(StringComparer.Ordinal), seen);
        Assert.Equal(3, pages);
        var sub = await (await client.GetAsync($"/api/v1/artifacts?prefix={folder}/sub/")).JsonAsync();
        Assert.Equal([$"{folder}/sub/c.txt", $"{folder}/sub/deeper/d.txt"], sub.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("path").GetString()));
        var none = await (await client.GetAsync($"/api/v1/artifacts?prefix={folder}/missing/")).JsonAsync();
        Assert.Empty(none.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task ALinkLeadingOutOfTheRoot_IsNeitherListedNorServed()
    {
        using var client = Host.Admin();
        var folder = NewFolder();
        Write($"{folder}/inside.txt", "in");
        var outside = Path.Combine(Path.GetTempPath(), "nexus-artifacts-outside-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(outside);
        try
        {
            await File.WriteAllTextAsync(Path.Combine(outside, "secret.txt"), "secret");
            File.CreateSymbolicLink(Path.Combine(Host.ArtifactsRoot, folder, "secret.txt"), Path.Combine(outside, "secret.txt"));
            Directory.CreateSymbolicLink(Path.Combine(Host.ArtifactsRoot, folder, "out"), outside);
            Directory.CreateSymbolicLink(Path.Combine(Host.ArtifactsRoot, folder, "loop"), Path.Combine(Host.ArtifactsRoot, folder));

            var list = await (await client.GetAsync($"/api/v1/artifacts?prefix={folder}/")).JsonAsync();
            var paths = list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("path").GetString()!).ToList();
            Assert.Contains($"{folder}/inside.txt", paths);
            Assert.DoesNotContain(paths, p => p.Contains("secret", StringComparison.Ordinal));

            // Page by page, a page holding only a link left out still leads on to the next.
            var paged = new List<string>();
            string? after = null;
            var pages = 0;
            do
            {
                var page = await (await client.GetAsync($"/api/v1/artifacts?prefix={folder}/&limit=1" + (after is null ? "" : "&after=" + Uri.EscapeDataString(after)))).JsonAsync();
                paged.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("path").GetString()!));
                after = page.GetProperty("next").GetString();
            }
            while (after is not null && ++pages < 50);
            Assert.Equal(paths, paged);
            Assert.True(pages > paged.Count, $"{pages} pages for {paged.Count} files: the left-out link took a page of its own");

            await (await client.GetAsync($"/api/v1/artifacts/{folder}/secret.txt")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "path");
            await (await client.GetAsync($"/api/v1/artifacts/{folder}/out/secret.txt")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "path");
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Theory]
    [InlineData("..%5Cnexus.db")]
    [InlineData("a%5C..%5C..%5Cnexus.db")]
    [InlineData("%2Fetc%2Fpasswd")]
    [InlineData("C:%5Cx.txt")]
    public async Task Download_ABadPath_IsA400NamingPath(string path)
    {
        using var client = Host.Admin();
        await (await client.GetAsync("/api/v1/artifacts/" + path)).ProblemAsync(HttpStatusCode.BadRequest, "validation", "path");
    }

    [Fact]
    public async Task Download_AMissingFileOrAFolder_IsA404Problem()
    {
        using var client = Host.Admin();
        var folder = NewFolder();
        Write($"{folder}/x.txt", "x");
        await (await client.GetAsync($"/api/v1/artifacts/{folder}/nothing.txt")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        var problem = await (await client.GetAsync($"/api/v1/artifacts/{folder}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        Assert.Contains("folder", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("prefix=..%2Fx", "prefix")]
    [InlineData("prefix=%2Fetc%2F", "prefix")]
    [InlineData("after=..%2Fx", "after")]
    [InlineData("limit=0", "limit")]
    public async Task List_BadQuery_IsA400NamingTheParameter(string query, string field)
    {
        using var client = Host.Admin();
        await (await client.GetAsync("/api/v1/artifacts?" + query)).ProblemAsync(HttpStatusCode.BadRequest, "validation", field);
    }

    [Fact]
    public async Task AViewer_MayReadArtifacts_AWorkerMayNot_AQueueLimitedKeyIsRefused()
    {
        var folder = NewFolder();
        Write($"{folder}/v.txt", "viewer");
        using var viewer = Host.Client(await CreateKeyAsync("viewer"));
        Assert.Equal("viewer", await (await viewer.GetAsync($"/api/v1/artifacts/{folder}/v.txt")).Content.ReadAsStringAsync());
        await (await viewer.GetAsync($"/api/v1/artifacts?prefix={folder}/")).JsonAsync();

        using var worker = Host.Client(await CreateKeyAsync("worker"));
        await (await worker.GetAsync($"/api/v1/artifacts/{folder}/v.txt")).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        using var limited = Host.Client(await CreateKeyAsync("operator", """["builds"]"""));
        var problem = await (await limited.GetAsync($"/api/v1/artifacts/{folder}/v.txt")).ProblemAsync(HttpStatusCode.Forbidden, "artifacts-forbidden");
        Assert.Contains("builds", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await (await limited.GetAsync("/api/v1/artifacts")).ProblemAsync(HttpStatusCode.Forbidden, "artifacts-forbidden");
    }
}
