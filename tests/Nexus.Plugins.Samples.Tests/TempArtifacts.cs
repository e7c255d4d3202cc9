using Microsoft.Extensions.Options;
using Nexus.Plugins;
using Nexus.Tasks;

namespace Nexus.Plugins.Samples.Tests;

/// <summary>A fresh artifacts root for one test (deleted afterwards), the options pointing at it, and a task context
/// that records progress.</summary>
public sealed class TempArtifacts : IDisposable
{
    public TempArtifacts()
    {
        Parent = Path.Combine(Path.GetTempPath(), "nexus-samples-" + Guid.NewGuid().ToString("N"));
        Root = Path.Combine(Parent, "root");
        Outside = Path.Combine(Parent, "outside");
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Outside);
    }

    /// <summary>Holds both <see cref="Root"/> and <see cref="Outside"/>.</summary>
    public string Parent { get; }

    /// <summary>The artifacts root.</summary>
    public string Root { get; }

    /// <summary>A folder beside the root that plugins must never touch.</summary>
    public string Outside { get; }

    public SamplePluginsOptions Settings { get; } = new();

    public IOptions<SamplePluginsOptions> Options
    {
        get
        {
            Settings.ArtifactsRoot = Root;
            return Microsoft.Extensions.Options.Options.Create(Settings);
        }
    }

    public List<TaskProgress> Progress { get; } = [];

    public TaskContext Context(string plugin, CancellationToken cancellationToken = default) => new()
    {
        TaskId = 1,
        Plugin = plugin,
        CancellationToken = cancellationToken,
        OnProgress = p =>
        {
            lock (Progress) Progress.Add(p);
            return ValueTask.CompletedTask;
        },
    };

    /// <summary>A context whose token is cancelled by the first progress report after <paramref name="reports"/> reports:
    /// the plugin is stopped in the middle of its work.</summary>
    public TaskContext CancellingContext(string plugin, CancellationTokenSource cts, int reports = 1) => new()
    {
        TaskId = 1,
        Plugin = plugin,
        CancellationToken = cts.Token,
        OnProgress = p =>
        {
            lock (Progress)
            {
                Progress.Add(p);
                if (Progress.Count >= reports) cts.Cancel();
            }
            return ValueTask.CompletedTask;
        },
    };

    /// <summary>A path under the root.</summary>
    public string At(string relative) => Path.Combine(Root, relative);

    public string Write(string relative, string content)
    {
        var path = At(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Every file under the parent (root and outside), relative to it; temporaries included.</summary>
    public IReadOnlyList<string> AllFiles() =>
        [.. Directory.EnumerateFiles(Parent, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Parent, f).Replace('\\', '/')).Order(StringComparer.Ordinal)];

    /// <summary>Checks progress was reported, never went backwards and ended at 1.</summary>
    public void AssertProgressCompleted()
    {
        Assert.NotEmpty(Progress);
        for (var i = 1; i < Progress.Count; i++) Assert.True(Progress[i].Fraction >= Progress[i - 1].Fraction, $"progress went back at report {i}");
        Assert.Equal(1.0, Progress[^1].Fraction);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Parent, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
