namespace Nexus.Server.Tests.Infrastructure;

/// <summary>The repository this test assembly was built from (the folder holding Nexus.slnx), and the build
/// configuration it was built in.</summary>
public static class RepositoryRoot
{
    public static string Path()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(System.IO.Path.Combine(folder.FullName, "Nexus.slnx"))) folder = folder.Parent;
        Assert.NotNull(folder);
        return folder.FullName;
    }

    /// <summary><c>Debug</c> or <c>Release</c>: the folder above the target framework folder of this assembly.</summary>
    public static string Configuration() => new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
}
