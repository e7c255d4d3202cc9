using Nexus.Plugins;

namespace Nexus.Plugins.Samples.Tests.Shared;

public sealed class ArtifactPathsTests : IDisposable
{
    private readonly TempArtifacts _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Resolve_RelativePath_StaysUnderRoot()
    {
        var path = ArtifactPaths.Resolve(_dir.Root, "images/a.png", "args.filename");

        Assert.Equal(Path.Combine(ArtifactPaths.CanonicalRoot(_dir.Root), "images", "a.png"), path);
    }

    [Theory]
    [InlineData("../escape.txt")]
    [InlineData("images/../../escape.txt")]
    [InlineData("a/../b.txt")]
    public void Resolve_DotDot_IsRefusedNamingTheArgument(string relative)
    {
        var ex = Assert.Throws<PermanentTaskException>(() => ArtifactPaths.Resolve(_dir.Root, relative, "args.filename"));

        Assert.StartsWith("args.filename:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'..'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_AbsolutePath_IsRefused()
    {
        var ex = Assert.Throws<PermanentTaskException>(() => ArtifactPaths.Resolve(_dir.Root, Path.Combine(_dir.Outside, "x.txt"), "args.outputFile"));

        Assert.StartsWith("args.outputFile:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("absolute", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("\\etc\\passwd")]
    [InlineData("\\\\server\\share\\x.txt")]
    [InlineData("C:\\x.txt")]
    [InlineData("c:x.txt")]
    public void Resolve_APathAbsoluteOnAnySystem_IsRefused_AndSoIsItAtSubmit(string path)
    {
        var ex = Assert.Throws<PermanentTaskException>(() => ArtifactPaths.Resolve(_dir.Root, path, "args.filename"));

        Assert.Contains("absolute", ex.Message, StringComparison.Ordinal);
        Assert.Contains("absolute", new RelativePathAttribute().Check(path), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a.png", null)]
    [InlineData("a.PNG", null)]
    [InlineData("a.jpg", "must end in .png")]
    [InlineData("png", "must end in .png")]
    public void RelativePath_WithAnExtension_ChecksTheEnding(string path, string? problem)
    {
        var found = new RelativePathAttribute(".png").Check(path);

        if (problem is null) Assert.Null(found);
        else Assert.Contains(problem, found, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Resolve_EmptyPath_IsRefused(string relative)
    {
        var ex = Assert.Throws<PermanentTaskException>(() => ArtifactPaths.Resolve(_dir.Root, relative, "args.inputFile"));

        Assert.StartsWith("args.inputFile:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_FolderLinkLeadingOut_IsRefused()
    {
        Directory.CreateSymbolicLink(_dir.At("out"), _dir.Outside);

        var ex = Assert.Throws<PermanentTaskException>(() => ArtifactPaths.Resolve(_dir.Root, "out/new.txt", "args.filename"));

        Assert.StartsWith("args.filename:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("symbolic link", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_FileLinkLeadingOut_IsRefused()
    {
        File.WriteAllText(Path.Combine(_dir.Outside, "secret.txt"), "secret");
        File.CreateSymbolicLink(_dir.At("secret.txt"), Path.Combine(_dir.Outside, "secret.txt"));

        Assert.Throws<PermanentTaskException>(() => ArtifactPaths.Resolve(_dir.Root, "secret.txt", "args.inputFile"));
    }

    [Fact]
    public void Resolve_DanglingLinkLeadingOut_IsRefused()
    {
        File.CreateSymbolicLink(_dir.At("later.txt"), Path.Combine(_dir.Outside, "not-yet.txt"));

        Assert.Throws<PermanentTaskException>(() => ArtifactPaths.Resolve(_dir.Root, "later.txt", "args.filename"));
    }

    [Fact]
    public void Resolve_RelativeLinkClimbingOut_IsRefused()
    {
        Directory.CreateDirectory(_dir.At("a"));
        Directory.CreateSymbolicLink(_dir.At("a/up"), "../../outside");

        Assert.Throws<PermanentTaskException>(() => ArtifactPaths.Resolve(_dir.Root, "a/up/x.txt", "args.filename"));
    }

    [Fact]
    public void Resolve_LinkInsideRoot_IsFollowed()
    {
        Directory.CreateDirectory(_dir.At("real"));
        Directory.CreateSymbolicLink(_dir.At("alias"), _dir.At("real"));

        var path = ArtifactPaths.Resolve(_dir.Root, "alias/x.txt", "args.filename");

        Assert.Equal(Path.Combine(ArtifactPaths.CanonicalRoot(_dir.Root), "real", "x.txt"), path);
    }

    [Fact]
    public void Resolve_LinkLoop_IsRefused()
    {
        File.CreateSymbolicLink(_dir.At("loop1"), _dir.At("loop2"));
        File.CreateSymbolicLink(_dir.At("loop2"), _dir.At("loop1"));

        var ex = Assert.Throws<PermanentTaskException>(() => ArtifactPaths.Resolve(_dir.Root, "loop1", "args.inputFile"));

        Assert.Contains("loop", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_RootThatIsALink_Works()
    {
        var linkedRoot = Path.Combine(_dir.Parent, "root-link");
        Directory.CreateSymbolicLink(linkedRoot, _dir.Root);

        var path = ArtifactPaths.Resolve(linkedRoot, "x.txt", "args.filename");

        Assert.Equal(Path.Combine(ArtifactPaths.CanonicalRoot(_dir.Root), "x.txt"), path);
    }

    [Fact]
    public void ToRelative_UsesForwardSlashes()
    {
        var root = ArtifactPaths.CanonicalRoot(_dir.Root);

        Assert.Equal("a/b/c.txt", ArtifactPaths.ToRelative(root, Path.Combine(root, "a", "b", "c.txt")));
    }
}
