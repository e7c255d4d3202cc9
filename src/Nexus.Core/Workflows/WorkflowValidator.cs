using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Nexus.Tasks;

namespace Nexus.Workflows;

/// <summary>Checks a definition before it is registered and names the first thing wrong (a JSON path and the problem):
/// a duplicate or malformed id, an unknown step in <c>needs</c> or in a template, a cycle (with its steps), an unknown
/// plugin or workflow, static args that fail the plugin's schema, a bad condition, members that do not fit the kind.</summary>
public static partial class WorkflowValidator
{
    /// <summary>Most steps in one definition.</summary>
    public const int MaxSteps = 1000;
    /// <summary>Most items a forEach may run at once.</summary>
    public const int MaxParallelLimit = 10_000;
    /// <summary>The default of <see cref="WorkflowStep.MaxParallel"/>.</summary>
    public const int DefaultMaxParallel = 100;

    /// <summary>Throws <see cref="TaskValidationException"/> naming the field when the definition is not valid.</summary>
    public static void Validate(WorkflowDefinition definition, IWorkflowCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(catalog);
        if (string.IsNullOrEmpty(definition.Name) || !NamePattern().IsMatch(definition.Name))
        {
            throw Fail("name", $"'{definition.Name}' is not a workflow name: use lower-case letters, digits and . _ - (1–128 characters, starting with a letter or digit)");
        }
        if (definition.Steps is null || definition.Steps.Count == 0) throw Fail("steps", "must contain at least one step");
        if (definition.Steps.Count > MaxSteps) throw Fail("steps", $"at most {MaxSteps} steps (had {definition.Steps.Count})");

        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < definition.Steps.Count; i++)
        {
            var step = definition.Steps[i] ?? throw Fail($"steps[{i}]", "must be an object, not null");
            if (string.IsNullOrEmpty(step.Id) || !IdPattern().IsMatch(step.Id))
            {
                throw Fail($"steps[{i}].id", $"'{step.Id}' is not a step id: use letters, digits, _ and - (1–64 characters)");
            }
            if (!index.TryAdd(step.Id, i)) throw Fail($"steps[{i}].id", $"duplicate id '{step.Id}' (also steps[{index[step.Id]}])");
        }
        for (var i = 0; i < definition.Steps.Count; i++)
        {
            var step = definition.Steps[i];
            var needs = step.Needs ?? [];
            for (var n = 0; n < needs.Count; n++)
            {
                if (needs[n] == step.Id) throw Fail($"steps[{i}].needs[{n}]", $"step '{step.Id}' cannot need itself");
                if (!index.ContainsKey(needs[n])) throw Fail($"steps[{i}].needs[{n}]", $"unknown step '{needs[n]}'");
            }
            if (needs.Distinct(StringComparer.Ordinal).Count() != needs.Count) throw Fail($"steps[{i}].needs", "lists a step twice");
        }
        if (WorkflowGraph.FindCycle(definition.Steps) is { } cycle)
        {
            throw Fail("steps", $"the needs form a cycle: {string.Join(" → ", cycle)}");
        }
        var graph = new WorkflowGraph(definition);
        for (var i = 0; i < definition.Steps.Count; i++) ValidateStep(definition.Steps[i], $"steps[{i}]", graph, catalog);
    }

    private static void ValidateStep(WorkflowStep step, string at, WorkflowGraph graph, IWorkflowCatalog catalog)
    {
        var upstream = graph.Ancestors(step.Id);
        var isForEach = step.Kind == StepKind.ForEach;
        void Refs(JsonElement? value, string path, bool item = false, bool output = false)
        {
            foreach (var (where, expression) in Templates.Find(value, path)) CheckRef(expression, where, step.Id, upstream, graph, item, output);
        }

        Allow(step, at);
        if (step.Kind is StepKind.Task or StepKind.ForEach)
        {
            if (string.IsNullOrEmpty(step.Plugin)) throw Fail($"{at}.plugin", $"a {Kind(step.Kind)} step needs a plugin");
            CheckPlugin(step.Plugin, $"{at}.plugin", catalog);
            if (step.Args is { } args)
            {
                if (args.ValueKind != JsonValueKind.Object) throw Fail($"{at}.args", "must be a JSON object");
                Refs(args, $"{at}.args", item: isForEach);
                if (!Templates.Find(args, "").Any()) CheckArgs(step.Plugin, args.GetRawText(), $"{at}.args", catalog);
            }
            else
            {
                CheckArgs(step.Plugin, "{}", $"{at}.args", catalog);
            }
        }
        if (isForEach)
        {
            if (string.IsNullOrWhiteSpace(step.Items)) throw Fail($"{at}.items", "a forEach step needs items: a template naming an array, e.g. ${steps.list.output}");
            var exprs = Templates.Find(step.Items).ToList();
            if (exprs.Count != 1 || step.Items.Trim() != "${" + exprs[0] + "}")
            {
                throw Fail($"{at}.items", "must be exactly one template naming an array, e.g. ${steps.list.output}");
            }
            CheckRef(exprs[0], $"{at}.items", step.Id, upstream, graph, item: false, output: false);
            if (step.MaxParallel is < 1 or > MaxParallelLimit) throw Fail($"{at}.maxParallel", $"must be between 1 and {MaxParallelLimit}");
        }
        if (step.Kind == StepKind.Workflow)
        {
            if (string.IsNullOrEmpty(step.Workflow)) throw Fail($"{at}.workflow", "a workflow step needs the child workflow's name");
            if (!catalog.HasWorkflow(step.Workflow)) throw Fail($"{at}.workflow", $"unknown workflow '{step.Workflow}' (register it first)");
            if (step.Input is { } input && input.ValueKind != JsonValueKind.Object) throw Fail($"{at}.input", "must be a JSON object");
            Refs(step.Input, $"{at}.input");
        }
        if (step.Kind == StepKind.Sleep)
        {
            if ((step.Seconds is null) == (step.Until is null)) throw Fail($"{at}.seconds", "a sleep step needs exactly one of seconds and until");
            if (step.Seconds is { } s && (!double.IsFinite(s) || s < 0 || s > TaskBounds.MaxDelay.TotalSeconds)) throw Fail($"{at}.seconds", $"must be between 0 and {TaskBounds.Describe(TaskBounds.MaxDelay)}");
            if (step.Until is { } until)
            {
                if (Templates.Find(until).Any()) Refs(JsonSerializer.SerializeToElement(until), $"{at}.until");
                else if (!DateTimeOffset.TryParse(until, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _)) throw Fail($"{at}.until", $"'{until}' is not an ISO 8601 instant");
            }
        }
        if (step.Kind == StepKind.WaitForEvent)
        {
            if (string.IsNullOrEmpty(step.Signal) || !IdPattern().IsMatch(step.Signal)) throw Fail($"{at}.signal", "a waitForEvent step needs a signal name (letters, digits, _ and -, 1–64 characters)");
            if (step.Filter is { } filter) StepConditions.Check(filter, $"{at}.filter");
        }
        if (step.Kind == StepKind.Noop) Refs(step.Args, $"{at}.args");
        if (step.If is { } condition) StepConditions.Check(condition, $"{at}.if");
        if (step.MaxAttempts is < 1 or > 1000) throw Fail($"{at}.maxAttempts", "must be between 1 and 1000");
        step.Retry?.Validate($"{at}.retry");
        if (step.TimeoutSeconds is { } t && (!double.IsFinite(t) || t <= 0 || t > TaskBounds.MaxTimeout.TotalSeconds)) throw Fail($"{at}.timeoutSeconds", $"must be above 0 and at most {TaskBounds.Describe(TaskBounds.MaxTimeout)}");
        if (step.Compensate is { } comp)
        {
            if (string.IsNullOrEmpty(comp.Plugin)) throw Fail($"{at}.compensate.plugin", "is required");
            CheckPlugin(comp.Plugin, $"{at}.compensate.plugin", catalog);
            if (comp.Args is { } cargs && cargs.ValueKind != JsonValueKind.Object) throw Fail($"{at}.compensate.args", "must be a JSON object");
            Refs(comp.Args, $"{at}.compensate.args", output: true);
            if (!Templates.Find(comp.Args, "").Any()) CheckArgs(comp.Plugin, comp.Args?.GetRawText() ?? "{}", $"{at}.compensate.args", catalog);
            if (comp.MaxAttempts is < 1 or > 1000) throw Fail($"{at}.compensate.maxAttempts", "must be between 1 and 1000");
        }
    }

    /// <summary>Members that belong to another kind are refused, so a typo in the kind is not silently ignored.</summary>
    private static void Allow(WorkflowStep s, string at)
    {
        var k = s.Kind;
        void No(bool present, string member)
        {
            if (present) throw Fail($"{at}.{member}", $"does not apply to a {Kind(k)} step");
        }
        No(s.Plugin is not null && k is not (StepKind.Task or StepKind.ForEach), "plugin");
        No(s.Args is not null && k is not (StepKind.Task or StepKind.ForEach or StepKind.Noop), "args");
        No(s.Items is not null && k != StepKind.ForEach, "items");
        No(s.MaxParallel is not null && k != StepKind.ForEach, "maxParallel");
        No(s.Workflow is not null && k != StepKind.Workflow, "workflow");
        No(s.Input is not null && k != StepKind.Workflow, "input");
        No(s.Seconds is not null && k != StepKind.Sleep, "seconds");
        No(s.Until is not null && k != StepKind.Sleep, "until");
        No(s.Signal is not null && k != StepKind.WaitForEvent, "signal");
        No(s.Filter is not null && k != StepKind.WaitForEvent, "filter");
        No(s.Message is not null && k != StepKind.Fail, "message");
        No(s.TimeoutSeconds is not null && k is not (StepKind.Task or StepKind.ForEach or StepKind.WaitForEvent), "timeoutSeconds");
        No((s.MaxAttempts is not null || s.Retry is not null) && k is not (StepKind.Task or StepKind.ForEach), s.MaxAttempts is not null ? "maxAttempts" : "retry");
    }

    private static void CheckRef(string expression, string at, string stepId, IReadOnlySet<string> upstream, WorkflowGraph graph, bool item, bool output)
    {
        var parts = expression.Split('.');
        switch (parts[0])
        {
            case "input":
            case "run" when parts.Length == 2 && parts[1] is "id" or "workflow" or "version":
                return;
            case "item" when item:
            case "index" when item && parts.Length == 1:
            case "output" when output:
                return;
            case "steps":
                if (parts.Length < 3 || parts[2] != "output") throw Fail(at, $"${{{expression}}}: a step reference reads ${{steps.<id>.output…}}");
                var id = parts[1];
                if (!graph.Downstream.ContainsKey(id)) throw Fail(at, $"${{{expression}}}: unknown step '{id}'");
                if (!upstream.Contains(id)) throw Fail(at, $"${{{expression}}}: step '{id}' is not upstream of '{stepId}' (add it to needs)");
                return;
            default:
                var allowed = "input, steps, run.id" + (item ? ", item, index" : "") + (output ? ", output" : "");
                throw Fail(at, $"${{{expression}}}: '{parts[0]}' is not in scope here (use {allowed})");
        }
    }

    private static void CheckPlugin(string plugin, string at, IWorkflowCatalog catalog)
    {
        if (!catalog.HasPlugin(plugin))
        {
            var known = catalog.PluginNames.Order(StringComparer.Ordinal).ToList();
            throw Fail(at, $"unknown plugin '{plugin}' (registered: {(known.Count == 0 ? "none" : string.Join(", ", known))})");
        }
    }

    private static void CheckArgs(string plugin, string argsJson, string at, IWorkflowCatalog catalog)
    {
        try
        {
            catalog.ValidateArgs(plugin, argsJson);
        }
        catch (TaskValidationException ex)
        {
            var field = ex.Field.StartsWith("args", StringComparison.Ordinal) ? ex.Field[4..] : "." + ex.Field;
            throw Fail(at + (field == "." ? "" : field), ex.Problem);
        }
    }

    private static string Kind(StepKind kind) => JsonNamingPolicy.CamelCase.ConvertName(kind.ToString());

    private static TaskValidationException Fail(string field, string problem) => new(field, problem);

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,127}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex IdPattern();
}
