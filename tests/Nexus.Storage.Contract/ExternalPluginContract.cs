using Nexus.Storage;

namespace Nexus.Storage.Contract;

/// <summary>Plugins declared by external workers: stored with every field, listed by name, replaced by a later declaration.</summary>
public abstract class ExternalPluginContract : StoreContract
{
    private IExternalPluginStore Plugins => Store.ExternalPlugins ?? throw new InvalidOperationException($"The {Store.Driver} store has no external plugin store.");

    private static ExternalPlugin Plugin(string name, string queue = "js", string by = "w1") => new()
    {
        Name = name,
        Description = "does " + name,
        Version = "2.1.0",
        Queue = queue,
        ArgsSchemaJson = """{"type":"object","properties":{"n":{"type":"integer"}}}""",
        MaxAttempts = 4,
        Timeout = TimeSpan.FromSeconds(90),
        DeclaredBy = by,
    };

    [Fact]
    public async Task Declare_StoresEveryField_AndListOrdersByName()
    {
        await Plugins.DeclareAsync(new DeclarePluginsParams([Plugin("js.sum"), Plugin("js.abs") with { MaxAttempts = null, Timeout = null }]) { Now = T0 });

        var all = await Plugins.ListAsync();

        Assert.Equal(["js.abs", "js.sum"], all.Select(p => p.Name));
        var sum = all[1];
        Assert.Equal(("does js.sum", "2.1.0", "js", 4, TimeSpan.FromSeconds(90), "w1", T0),
            (sum.Description, sum.Version, sum.Queue, sum.MaxAttempts, sum.Timeout, sum.DeclaredBy, sum.DeclaredAt));
        Assert.Contains("\"integer\"", sum.ArgsSchemaJson, StringComparison.Ordinal);
        Assert.Null(all[0].MaxAttempts);
        Assert.Null(all[0].Timeout);
    }

    [Fact]
    public async Task Declare_AgainWithTheSameName_ReplacesTheDeclaration()
    {
        await Plugins.DeclareAsync(new DeclarePluginsParams([Plugin("js.sum")]) { Now = T0 });
        await Plugins.DeclareAsync(new DeclarePluginsParams([Plugin("js.sum", queue: "other", by: "w2")]) { Now = T0.AddMinutes(1) });

        var only = Assert.Single(await Plugins.ListAsync());
        Assert.Equal(("other", "w2", T0.AddMinutes(1)), (only.Queue, only.DeclaredBy, only.DeclaredAt));
    }
}
