using System.Diagnostics;
using System.Text.Json;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Server.Tests.Deploy;

/// <summary>deploy/Dockerfile without a Docker engine: multi-stage, a non-root runtime stage with a health check, the
/// settings it sets are ones the server reads, its data paths are on the volume, what it copies exists and is not
/// ignored, and the native library of the image plugins (SkiaSharp) needs nothing beyond libc.</summary>
public sealed class DockerfileTests
{
    private static Dockerfile File_ => Dockerfile.Parse(File.ReadAllText(DeployFiles.PathOf("Dockerfile")));

    [Fact]
    public void TheImage_IsMultiStage_NonRoot_WithAHealthCheckOnTheListeningPort()
    {
        var file = File_;
        Assert.True(file.Stages.Count >= 2, "The Dockerfile should build in one stage and run in another.");
        Assert.Contains("/sdk:", file.Stages[0].Image, StringComparison.Ordinal);
        var runtime = file.Stages[^1];
        Assert.Contains("/aspnet:", runtime.Image, StringComparison.Ordinal);

        var user = Assert.Single(runtime.All("USER"));
        Assert.NotEqual("root", user);
        Assert.NotEqual("0", user.Split(':')[0]);

        var env = runtime.Environment();
        var port = new Uri(env["NEXUS_URLS"].Replace("0.0.0.0", "host", StringComparison.Ordinal)).Port;
        Assert.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), runtime.All("EXPOSE").Single().Split(' '));
        var check = Assert.Single(runtime.All("HEALTHCHECK"));
        var command = JsonSerializer.Deserialize<string[]>(check[(check.IndexOf("CMD", StringComparison.Ordinal) + 3)..].Trim())!;
        Assert.Equal(["dotnet", "/app/cli/Nexus.Cli.dll", "health", "--server", $"http://127.0.0.1:{port}"], command);
        var entry = JsonSerializer.Deserialize<string[]>(Assert.Single(runtime.All("ENTRYPOINT")))!;
        Assert.Equal(["dotnet", "/app/Nexus.Server.dll"], entry);
    }

    [Fact]
    public void ItsSettings_AreReadByTheServer_AndItsDataIsOnTheVolume()
    {
        var runtime = File_.Stages[^1];
        var env = runtime.Environment();
        foreach (var variable in env.Keys) Assert.True(KnownSettings.IsRead(variable), $"The image sets {variable}, which the server does not read.");
        var volumes = JsonSerializer.Deserialize<string[]>(Assert.Single(runtime.All("VOLUME")))!;
        var sqlite = env["NEXUS_SQLITE"].Replace("Data Source=", "", StringComparison.Ordinal);
        Assert.Contains(volumes, v => sqlite.StartsWith(v + "/", StringComparison.Ordinal));
        Assert.Contains(volumes, v => env["NEXUS_ARTIFACTSROOT"].StartsWith(v + "/", StringComparison.Ordinal));
        // The volume's folder is made in the build stage and owned by the runtime user, so a fresh volume is writable.
        Assert.Contains(runtime.All("COPY"), c => c.Contains("--chown=" + runtime.All("USER").Single(), StringComparison.Ordinal) && c.TrimEnd().EndsWith(volumes[0] + "/", StringComparison.Ordinal));
    }

    [Fact]
    public void WhatTheBuildStageCopies_ExistsInTheRepository_AndIsNotIgnored()
    {
        var root = RepositoryRoot.Path();
        var ignored = File.ReadAllLines(Path.Combine(root, ".dockerignore")).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var copies = File_.Stages[0].All("COPY").Where(c => !c.StartsWith("--from", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(copies);
        foreach (var copy in copies)
        {
            var words = copy.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => !w.StartsWith("--", StringComparison.Ordinal)).ToArray();
            foreach (var source in words[..^1])
            {
                var path = Path.Combine(root, source);
                Assert.True(File.Exists(path) || Directory.Exists(path), $"The Dockerfile copies {source}, which is not in the repository.");
                Assert.DoesNotContain(ignored, i => source.TrimEnd('/').Equals(i.TrimEnd('/'), StringComparison.Ordinal) || source.StartsWith(i.TrimEnd('/') + "/", StringComparison.Ordinal));
            }
        }
        // Every project the server and the CLI reference is copied before the restore.
        foreach (var project in new[] { "Nexus.Server", "Nexus.Cli" }.SelectMany(p => ReferencedProjects(Path.Combine(root, "src", p, p + ".csproj"))))
        {
            Assert.Contains(copies, c => c.Contains(Path.GetRelativePath(root, project), StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task TheImagePluginsNativeLibrary_NeedsOnlyLibc()
    {
        var output = Path.GetDirectoryName(ServerBinary.Dll())!;
        var library = Path.Combine(output, "runtimes", "linux-x64", "native", "libSkiaSharp.so");
        Assert.True(File.Exists(library), $"The server's output has no {library}: the image plugins could not render in the image.");
        var start = new ProcessStartInfo("ldd", [library]) { RedirectStandardOutput = true, UseShellExecute = false };
        using var ldd = Process.Start(start)!;
        var text = await ldd.StandardOutput.ReadToEndAsync();
        await ldd.WaitForExitAsync();
        Assert.DoesNotContain("not found", text, StringComparison.Ordinal);
        var needed = text.Split('\n').Select(l => l.Trim().Split(' ')[0]).Where(l => l.Length > 0 && !l.StartsWith("linux-vdso", StringComparison.Ordinal) && !l.Contains("ld-linux", StringComparison.Ordinal)).ToList();
        // The chiseled runtime image has glibc and libstdc++, not fontconfig or freetype.
        Assert.All(needed, n => Assert.Matches(@"^lib(c|m|dl|pthread|rt|stdc\+\+|gcc_s)\.so", n));
    }

    private static IEnumerable<string> ReferencedProjects(string csproj)
    {
        yield return csproj;
        var document = System.Xml.Linq.XDocument.Load(csproj);
        foreach (var reference in document.Descendants("ProjectReference").Select(r => r.Attribute("Include")!.Value))
        {
            var path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(csproj)!, reference.Replace('\\', '/')));
            foreach (var p in ReferencedProjects(path)) yield return p;
        }
    }
}
