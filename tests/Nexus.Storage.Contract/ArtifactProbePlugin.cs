using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Nexus.Plugins;

namespace Nexus.Storage.Contract;

/// <summary>Args of the artifact probe.</summary>
public sealed record ArtifactProbeArgs
{
    /// <summary>A file to write through <see cref="TaskContext.Artifacts"/>.</summary>
    public string? File { get; init; }
    public string? Content { get; init; }
    /// <summary>How long the result's <c>text</c> is.</summary>
    public int OutputChars { get; init; }
    /// <summary>Log lines to write through the context's logger.</summary>
    public int LogLines { get; init; }
    /// <summary>Fail the first attempts (after logging).</summary>
    public int FailAttempts { get; init; }
    /// <summary>Any value (a template's), described in the result.</summary>
    public JsonElement? Echo { get; init; }
}

/// <summary>Result of the artifact probe: <c>text</c> of the asked length and what <c>echo</c> was.</summary>
public sealed record ArtifactProbeResult(string Text, int Attempt, string? Written, string EchoKind, int EchoLength, string? EchoStart);

[TaskPlugin("test.artifacts", Description = "Test plugin that writes artifacts, logs and large outputs.")]
public sealed class ArtifactProbePlugin : ITaskPlugin<ArtifactProbeArgs, ArtifactProbeResult>
{
    public async ValueTask<ArtifactProbeResult> ExecuteAsync(ArtifactProbeArgs args, TaskContext context)
    {
        for (var i = 1; i <= args.LogLines; i++) context.Log.LogInformation("line {Line} of attempt {Attempt}", i, context.Attempt);
        if (context.Attempt <= args.FailAttempts)
        {
            context.Log.LogError("giving up on attempt {Attempt}", context.Attempt);
            throw new InvalidOperationException($"planned failure {context.Attempt}");
        }
        string? written = null;
        if (args.File is not null)
        {
            using var content = new MemoryStream(Encoding.UTF8.GetBytes(args.Content ?? ""));
            written = (await context.Artifacts.WriteAsync(args.File, content, context.CancellationToken)).Name;
        }
        var text = new string('x', args.OutputChars);
        var echo = args.Echo;
        var echoText = echo is { ValueKind: JsonValueKind.String } s ? s.GetString()! : echo?.GetRawText() ?? "";
        return new ArtifactProbeResult(text, context.Attempt, written, echo?.ValueKind.ToString() ?? "None", echoText.Length, echoText.Length > 0 ? echoText[..Math.Min(20, echoText.Length)] : null);
    }
}
