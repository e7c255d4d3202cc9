using System.Globalization;
using System.Text.Json;
using Nexus.Client;
using Spectre.Console;

namespace Nexus.Cli.Output;

/// <summary>A run as text: a header, then its steps as a graph in levels (a step sits one level below the deepest step
/// it needs), each with its state, task, attempts, forEach counts and compensation.</summary>
internal static class RunView
{
    public static void Show(IAnsiConsole o, RunResponse run)
    {
        o.MarkupLine($"Run [bold]{run.Id}[/]  {Format.E(run.Workflow)} v{run.Version}  {State(run.State)}{(run.Paused ? "  [yellow]paused[/]" : "")}");
        o.MarkupLine($"  started {Format.Time(run.CreatedAt)}   finished {Format.Time(run.FinishedAt)}");
        if (run.Error is not null) o.MarkupLine($"  [red]{Format.E(run.Error)}[/]");
        if (run.ParentRunId is { } parent) o.MarkupLine($"  child of run {parent} (step {Format.E(run.ParentStepId)})");
        if (run.TraceId is { } trace) o.MarkupLine($"  trace {Format.E(trace)}");
        var steps = run.Steps ?? [];
        if (steps.Count == 0) return;
        o.WriteLine();
        foreach (var line in Graph(steps)) o.MarkupLine(line);
        if (run.Output is { } output) o.MarkupLine($"\n  output {Format.E(Shorten(output.GetRawText()))}");
    }

    /// <summary>One markup line per step, by level then definition order.</summary>
    public static IEnumerable<string> Graph(IReadOnlyList<StepResponse> steps)
    {
        var byId = steps.ToDictionary(s => s.Id, StringComparer.Ordinal);
        var level = new Dictionary<string, int>(StringComparer.Ordinal);
        int Level(StepResponse s) => level.TryGetValue(s.Id, out var l) ? l
            : level[s.Id] = s.Needs.Count == 0 ? 0 : s.Needs.Where(byId.ContainsKey).Select(n => Level(byId[n])).DefaultIfEmpty(-1).Max() + 1;
        var width = steps.Max(s => s.Id.Length);
        var ordered = steps.Select((s, i) => (s, i)).OrderBy(x => Level(x.s)).ThenBy(x => x.i).Select(x => x.s).ToList();
        var last = -1;
        foreach (var s in ordered)
        {
            var l = Level(s);
            var branch = l == 0 ? "●" : "└─●";
            var indent = new string(' ', Math.Max(0, l - 1) * 3);
            if (l != last && l > 0) yield return $"  {new string(' ', (l - 1) * 3)}│";
            last = l;
            var what = s.Plugin is null ? s.Kind : $"{s.Kind} {s.Plugin}";
            var details = new List<string>();
            if (s.Items is { } items) details.Add($"{items.Succeeded}/{items.Count} items");
            if (s.TaskId is { } task) details.Add($"task {task.ToString(CultureInfo.InvariantCulture)}");
            if (s.Attempt > 1) details.Add($"attempt {s.Attempt}");
            if (s.ChildRunId is { } child) details.Add($"run {child.ToString(CultureInfo.InvariantCulture)}");
            if (s.Compensation is { } comp) details.Add($"compensation {comp.State}");
            var needs = s.Needs.Count == 0 ? "" : $"  [grey]← {Format.E(string.Join(", ", s.Needs))}[/]";
            var error = s.Error is null ? "" : $"  [red]{Format.E(Shorten(s.Error))}[/]";
            yield return $"  {indent}{branch} {Format.E(s.Id.PadRight(width))}  {State(s.State)}{new string(' ', Math.Max(1, 11 - s.State.Length))}{Format.E(what)}{(details.Count == 0 ? "" : "  " + Format.E(string.Join(", ", details)))}{needs}{error}";
        }
    }

    public static string State(string state) => state switch
    {
        "succeeded" => "[green]succeeded[/]",
        "failed" or "compensationFailed" => $"[red]{state}[/]",
        "compensating" or "compensated" => $"[yellow]{state}[/]",
        "cancelled" or "skipped" => $"[grey]{state}[/]",
        "running" or "waiting" => $"[blue]{state}[/]",
        _ => Markup.Escape(state),
    };

    private static string Shorten(string s) => s.Length <= 120 ? s : s[..120] + "…";

    public static JsonElement? ReadJson(string? text, string option)
    {
        if (text is null) return null;
        if (text.StartsWith('@'))
        {
            var path = text[1..];
            if (!File.Exists(path)) throw new CliUsageException($"{option}: the file '{path}' does not exist.");
            text = File.ReadAllText(path);
        }
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new CliUsageException($"{option} is not valid JSON: {ex.Message}");
        }
    }
}
