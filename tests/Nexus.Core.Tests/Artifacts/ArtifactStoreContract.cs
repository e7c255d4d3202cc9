using System.Text;
using Nexus.Artifacts;

namespace Nexus.Core.Tests.Artifacts;

/// <summary>What every <see cref="IArtifactStore"/> must do; run against the local folder and a real S3-compatible server.</summary>
public abstract class ArtifactStoreContract
{
    /// <summary>A store with nothing in it yet.</summary>
    protected abstract IArtifactStore Store { get; }

    private static MemoryStream Bytes(string text) => new(Encoding.UTF8.GetBytes(text));

    private static async Task<string> ReadAsync(IArtifactStore store, string name)
    {
        await using var content = await store.OpenAsync(name) ?? throw new Xunit.Sdk.XunitException($"{name} is missing");
        using var reader = new StreamReader(content, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    [Fact]
    public async Task A_put_is_read_back_with_its_size()
    {
        var info = await Store.PutAsync("runs/1/a/report.txt", Bytes("hello artifacts"));
        Assert.Equal("runs/1/a/report.txt", info.Name);
        Assert.Equal(15, info.Bytes);
        Assert.Equal("hello artifacts", await ReadAsync(Store, "runs/1/a/report.txt"));
        var head = await Store.GetInfoAsync("runs/1/a/report.txt");
        Assert.Equal(15, head?.Bytes);
    }

    [Fact]
    public async Task A_second_put_replaces_the_first()
    {
        await Store.PutAsync("tasks/5/out.json", Bytes("{\"v\":1}"));
        await Store.PutAsync("tasks/5/out.json", Bytes("{\"v\":22}"));
        Assert.Equal("{\"v\":22}", await ReadAsync(Store, "tasks/5/out.json"));
    }

    [Fact]
    public async Task A_missing_artifact_opens_as_null_and_deletes_as_false()
    {
        Assert.Null(await Store.OpenAsync("tasks/404/none.bin"));
        Assert.Null(await Store.GetInfoAsync("tasks/404/none.bin"));
        Assert.False(await Store.DeleteAsync("tasks/404/none.bin"));
    }

    [Fact]
    public async Task Delete_removes_it()
    {
        await Store.PutAsync("tasks/6/x.bin", Bytes("x"));
        Assert.True(await Store.DeleteAsync("tasks/6/x.bin"));
        Assert.Null(await Store.OpenAsync("tasks/6/x.bin"));
        Assert.Empty(await Store.ListAsync("tasks/6/"));
    }

    [Fact]
    public async Task List_by_prefix_is_in_name_order_and_pages_with_after()
    {
        foreach (var name in new[] { "runs/7/b/2.txt", "runs/7/a/1.txt", "runs/7/a/logs/attempt-1.log", "runs/70/z.txt", "runs/8/a.txt" })
        {
            await Store.PutAsync(name, Bytes(name));
        }
        var all = await Store.ListAsync("runs/7/");
        Assert.Equal(["runs/7/a/1.txt", "runs/7/a/logs/attempt-1.log", "runs/7/b/2.txt"], all.Select(a => a.Name));
        Assert.All(all, a => Assert.Equal(a.Name.Length, a.Bytes));
        // A prefix need not end at a '/': runs/7 also matches runs/70.
        Assert.Equal(4, (await Store.ListAsync("runs/7")).Count);
        var first = await Store.ListAsync("runs/7/", null, 2);
        Assert.Equal(["runs/7/a/1.txt", "runs/7/a/logs/attempt-1.log"], first.Select(a => a.Name));
        var rest = await Store.ListAsync("runs/7/", first[^1].Name, 2);
        Assert.Equal(["runs/7/b/2.txt"], rest.Select(a => a.Name));
        Assert.Empty(await Store.ListAsync("runs/9/"));
    }

    [Fact]
    public async Task A_stream_that_cannot_seek_and_a_megabyte_go_in_whole()
    {
        var data = new byte[1024 * 1024 + 7];
        for (var i = 0; i < data.Length; i++) data[i] = (byte)(i * 31);
        var info = await Store.PutAsync("tasks/9/big.bin", new OneWayStream(data));
        Assert.Equal(data.Length, info.Bytes);
        await using var read = await Store.OpenAsync("tasks/9/big.bin");
        using var copy = new MemoryStream();
        await read!.CopyToAsync(copy);
        Assert.Equal(data, copy.ToArray());
    }

    [Theory]
    [InlineData("../escape.txt")]
    [InlineData("runs/../../etc/passwd")]
    [InlineData("/abs/path")]
    [InlineData("runs//double")]
    [InlineData("runs/1/")]
    [InlineData("runs\\1\\x")]
    [InlineData("runs/.hidden")]
    [InlineData("")]
    [InlineData("runs/1/a b")]
    public async Task A_name_that_could_leave_the_store_is_refused_naming_the_field(string name)
    {
        var ex = await Assert.ThrowsAsync<ArtifactNameException>(() => Store.PutAsync(name, Bytes("no")));
        Assert.Equal("name", ex.Field);
        Assert.StartsWith("name: ", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArtifactNameException>(() => Store.OpenAsync(name));
        await Assert.ThrowsAsync<ArtifactNameException>(() => Store.DeleteAsync(name));
    }

    [Fact]
    public async Task A_prefix_that_could_leave_the_store_is_refused()
    {
        var ex = await Assert.ThrowsAsync<ArtifactNameException>(() => Store.ListAsync("../"));
        Assert.Equal("prefix", ex.Field);
    }

    /// <summary>A read-only stream without a length or seeking, like a request body.</summary>
    private sealed class OneWayStream(byte[] data) : Stream
    {
        private int _at;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, 10_000), data.Length - _at);
            Array.Copy(data, _at, buffer, offset, n);
            _at += n;
            return n;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
