namespace Nexus.Server.Tests.Infrastructure;

/// <summary>Where the built server binary is: src/Nexus.Server/bin/&lt;configuration&gt;/net10.0/Nexus.Server.dll,
/// built beside this test assembly.</summary>
public static class ServerBinary
{
    public static string Dll()
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = testBin.Parent!.Name;
        var root = testBin;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Nexus.slnx"))) root = root.Parent;
        Assert.NotNull(root);
        var dll = Path.Combine(root.FullName, "src", "Nexus.Server", "bin", configuration, testBin.Name, "Nexus.Server.dll");
        Assert.True(File.Exists(dll), $"The server is not built at {dll}.");
        return dll;
    }
}
