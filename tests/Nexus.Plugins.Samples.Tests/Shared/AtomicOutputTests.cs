namespace Nexus.Plugins.Samples.Tests.Shared;

public sealed class AtomicOutputTests : IDisposable
{
    private readonly TempArtifacts _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task WriteFile_WhenWriterFails_LeavesNoFileAndNoTemporary()
    {
        var target = _dir.At("sub/out.bin");

        await Assert.ThrowsAsync<InvalidOperationException>(() => AtomicOutput.WriteFileAsync(target, "args.outputFile", async (stream, ct) =>
        {
            await stream.WriteAsync(new byte[1000], ct);
            throw new InvalidOperationException("half-way");
        }, CancellationToken.None));

        Assert.False(File.Exists(target));
        Assert.Empty(_dir.AllFiles());
    }

    [Fact]
    public async Task WriteFile_WhenWriterFails_KeepsThePreviousFile()
    {
        var target = _dir.Write("out.txt", "old");

        await Assert.ThrowsAsync<InvalidOperationException>(() => AtomicOutput.WriteFileAsync(target, "args.outputFile",
            (_, _) => throw new InvalidOperationException("no"), CancellationToken.None));

        Assert.Equal("old", File.ReadAllText(target));
        Assert.Equal(["root/out.txt"], _dir.AllFiles());
    }

    [Fact]
    public async Task WriteFile_ReplacesAndReturnsSize()
    {
        var target = _dir.Write("out.txt", "old content");

        var bytes = await AtomicOutput.WriteFileAsync(target, "args.outputFile", (s, ct) => s.WriteAsync("new"u8.ToArray(), ct).AsTask(), CancellationToken.None);

        Assert.Equal(3, bytes);
        Assert.Equal("new", File.ReadAllText(target));
        Assert.Equal(["root/out.txt"], _dir.AllFiles());
    }

    [Fact]
    public void Stage_OntoAFolder_IsRefusedNamingTheArgument()
    {
        Directory.CreateDirectory(_dir.At("taken"));
        using var output = new AtomicOutput();

        var ex = Assert.Throws<PermanentTaskException>(() => output.Stage(_dir.At("taken"), "args.filename"));

        Assert.StartsWith("args.filename:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dispose_WithoutCommit_DeletesTemporaries()
    {
        string temp;
        using (var output = new AtomicOutput())
        {
            temp = output.Stage(_dir.At("a.txt"), "args.copyTo");
            File.WriteAllText(temp, "partial");
        }

        Assert.False(File.Exists(temp));
        Assert.False(File.Exists(_dir.At("a.txt")));
    }
}
