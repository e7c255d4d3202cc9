using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Nexus.Hosting;
using Nexus.Plugins;
using Nexus.Storage;
using Nexus.Tasks;
using Nexus.Testing;

namespace Nexus.Core.Tests.Hosting;

/// <summary>Composition: AddNexus, options validation, start-up errors and the plugin folder.</summary>
public sealed class NexusHostTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nexus-core-tests", Guid.NewGuid().ToString("N"));

    public NexusHostTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private IHost Build(Action<NexusBuilder> configure, Action<NexusOptions>? options = null)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddNexus(n =>
        {
            n.UseSqlite($"Data Source={Path.Combine(_dir, "nexus.db")}");
            n.Configure(o =>
            {
                o.PollInterval = TimeSpan.FromMilliseconds(50);
                options?.Invoke(o);
            });
            configure(n);
        });
        return builder.Build();
    }

    [Fact]
    public void AddNexus_WithoutAStore_SaysWhatIsMissing()
    {
        var services = new ServiceCollection();
        var ex = Assert.Throws<InvalidOperationException>(() => services.AddNexus(_ => { }));
        Assert.Contains("UseSqlite", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Concurrency")]
    [InlineData("HeartbeatInterval")]
    [InlineData("Queues")]
    public async Task Start_WithInvalidOptions_FailsNamingTheSetting(string setting)
    {
        using var host = Build(_ => { }, o =>
        {
            switch (setting)
            {
                case "Concurrency": o.Concurrency = 0; break;
                case "HeartbeatInterval": o.HeartbeatInterval = o.LeaseDuration; break;
                case "Queues": o.Queues = ["ok", "not ok"]; break;
            }
        });

        var ex = await Record.ExceptionAsync(() => host.StartAsync());

        Assert.NotNull(ex);
        Assert.Contains(setting, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_OnAFileThatIsNotADatabase_FailsClearly_AndLeavesTheFileAlone()
    {
        var path = Path.Combine(_dir, "nexus.db");
        await File.WriteAllTextAsync(path, "these are my notes, not a database, and they are long enough to have a header....................................");
        var before = await File.ReadAllBytesAsync(path);
        using var host = Build(_ => { });

        var ex = await Assert.ThrowsAsync<StoreException>(() => host.StartAsync());

        Assert.Equal("store-unreachable", ex.Code);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task PluginsFolder_LoadsPluginsInTheirOwnContext_AndRunsThem()
    {
        var plugins = Path.Combine(_dir, "plugins", "Nexus.Fixtures.FolderPlugin");
        Directory.CreateDirectory(plugins);
        var built = AppContext.BaseDirectory.Replace("Nexus.Core.Tests", "Nexus.Fixtures.FolderPlugin", StringComparison.Ordinal);
        foreach (var file in Directory.GetFiles(built, "Nexus.Fixtures.FolderPlugin.*")) File.Copy(file, Path.Combine(plugins, Path.GetFileName(file)));
        Assert.False(File.Exists(Path.Combine(plugins, "Nexus.Core.dll")), "the fixture must not ship its own Nexus.Core");
        using var host = Build(_ => { }, o => o.PluginsFolder = Path.Combine(_dir, "plugins"));
        await host.StartAsync();
        var tasks = host.Services.GetRequiredService<INexusTasks>();
        var registry = host.Services.GetRequiredService<PluginRegistry>();

        var id = (await tasks.SubmitJsonAsync("fixture.reverse", """{"text":"nexus"}""")).Id;
        var done = await tasks.WaitFinishedAsync(id);
        await host.StopAsync();

        Assert.Equal(TaskState.Succeeded, done.State);
        using var result = JsonDocument.Parse(done.ResultJson!);
        Assert.Equal("suxen", result.RootElement.GetProperty("reversed").GetString());
        Assert.Equal("Nexus.Fixtures.FolderPlugin", result.RootElement.GetProperty("loadContext").GetString());
        var descriptor = registry.Get("fixture.reverse");
        Assert.Equal("0.3.0", descriptor.Version);
        Assert.EndsWith("Nexus.Fixtures.FolderPlugin.dll", descriptor.Source, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PluginsFolder_ThatDoesNotExist_FailsStartNamingIt()
    {
        using var host = Build(_ => { }, o => o.PluginsFolder = Path.Combine(_dir, "missing"));

        var ex = await Assert.ThrowsAsync<DirectoryNotFoundException>(() => host.StartAsync());

        Assert.Contains("missing", ex.Message, StringComparison.Ordinal);
    }
}
