using Nexus.Plugins;

namespace Nexus.Fixtures.FolderPlugin;

/// <summary>Args of <see cref="ReversePlugin"/>.</summary>
/// <param name="Text">The text to reverse.</param>
public sealed record ReverseArgs(string Text);

/// <summary>Result of <see cref="ReversePlugin"/>.</summary>
/// <param name="Reversed">The text, reversed.</param>
/// <param name="LoadContext">The name of the load context the plugin ran in.</param>
public sealed record ReverseResult(string Reversed, string LoadContext);

/// <summary>Reverses a string; reports which load context it runs in.</summary>
[TaskPlugin("fixture.reverse", Description = "Reverses text (folder-loaded test plugin).", Version = "0.3.0")]
public sealed class ReversePlugin : ITaskPlugin<ReverseArgs, ReverseResult>
{
    /// <inheritdoc/>
    public ValueTask<ReverseResult> ExecuteAsync(ReverseArgs args, TaskContext context)
    {
        var chars = args.Text.ToCharArray();
        Array.Reverse(chars);
        var alc = System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(typeof(ReversePlugin).Assembly)?.Name ?? "?";
        return ValueTask.FromResult(new ReverseResult(new string(chars), alc));
    }
}
