using System.Text.Json;
using Nexus.Engine;
using Nexus.Hosting;
using Nexus.Plugins;
using Nexus.Storage;

namespace Nexus.Workflows;

/// <summary>Registers definitions and applies operators' run actions, each in one unit of work with the planner.</summary>
internal sealed class WorkflowService(
    INexusStore store,
    PluginRegistry registry,
    ExternalPluginCatalog externals,
    WorkflowCoordinator coordinator,
    INexusTaskSignals signals,
    Observability.WorkflowMetrics metrics,
    TimeProvider time) : INexusWorkflows
{
    private const int MaxKeyLength = 255;
    private readonly StoreClock _clock = new(time);

    public async Task<RegisteredWorkflow> RegisterAsync(WorkflowDefinition definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var plugins = (definition.Steps ?? []).SelectMany(s => new[] { s?.Plugin, s?.Compensate?.Plugin })
            .Where(p => !string.IsNullOrEmpty(p) && !registry.TryGet(p, out _)).Select(p => p!).ToList();
        if (plugins.Count > 0) await externals.EnsureAsync(plugins, cancellationToken).ConfigureAwait(false);
        var known = (await store.Workflows.ListAsync(cancellationToken).ConfigureAwait(false)).Select(w => w.Name).ToHashSet(StringComparer.Ordinal);
        WorkflowValidator.Validate(definition, new RegistryWorkflowCatalog(registry, externals, known));
        var json = WorkflowJson.Serialize(definition);
        var (stored, created) = await store.Workflows.RegisterAsync(new RegisterWorkflowParams(definition.Name, json, WorkflowJson.Hash(json)) { Now = _clock.Now }, cancellationToken).ConfigureAwait(false);
        return new RegisteredWorkflow(stored, created);
    }

    public Task<StoredWorkflow?> GetAsync(string name, int? version = null, CancellationToken cancellationToken = default) =>
        store.Workflows.GetAsync(name, version, cancellationToken);

    public Task<IReadOnlyList<StoredWorkflow>> ListAsync(CancellationToken cancellationToken = default) => store.Workflows.ListAsync(cancellationToken);

    public Task<IReadOnlyList<StoredWorkflow>> VersionsAsync(string name, CancellationToken cancellationToken = default) =>
        store.Workflows.VersionsAsync(name, cancellationToken);

    public async Task<StartedRun> StartAsync(string workflow, string? inputJson = null, StartRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        var input = CheckInput(inputJson);
        if (options?.IdempotencyKey is { } key && (key.Length is 0 or > MaxKeyLength))
        {
            throw new TaskValidationException("idempotencyKey", $"must be 1–{MaxKeyLength} characters");
        }
        var stored = await store.Workflows.GetAsync(workflow, options?.Version, cancellationToken).ConfigureAwait(false)
            ?? throw new UnknownWorkflowException(workflow, options?.Version);
        var started = await store.InTransactionAsync(async (tx, ct) =>
        {
            var (id, created) = await tx.Workflows.CreateRunAsync(new NewRun
            {
                Workflow = stored.Name,
                Version = stored.Version,
                DefinitionJson = stored.DefinitionJson,
                InputJson = input,
                IdempotencyKey = options?.IdempotencyKey,
                Now = _clock.Now,
            }, ct).ConfigureAwait(false);
            var outcome = created ? await coordinator.ApplyAsync(tx.Workflows, tx.Tasks, [new RunStarted(id)], ct).ConfigureAwait(false) : null;
            return (Run: new StartedRun(id, stored.Version, created), Outcome: outcome);
        }, cancellationToken).ConfigureAwait(false);
        if (started.Outcome is { } done) metrics.Record(done.Measures);
        if (started.Run.Created) signals.Wake();
        return started.Run;
    }

    /// <summary>Starts a run inside a caller's unit of work (a schedule's fire): the run and its first steps commit or
    /// roll back with <paramref name="tx"/>. Returns null when the workflow does not exist. The local workers are woken
    /// at once; should the unit roll back, they find nothing.</summary>
    internal async Task<StartedRun?> StartInAsync(IStoreTransaction tx, string workflow, string? inputJson, string? idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tx);
        var input = CheckInput(inputJson);
        var stored = await tx.Workflows.GetAsync(workflow, null, cancellationToken).ConfigureAwait(false);
        if (stored is null) return null;
        var (id, created) = await tx.Workflows.CreateRunAsync(new NewRun
        {
            Workflow = stored.Name,
            Version = stored.Version,
            DefinitionJson = stored.DefinitionJson,
            InputJson = input,
            IdempotencyKey = idempotencyKey,
            Now = _clock.Now,
        }, cancellationToken).ConfigureAwait(false);
        if (created)
        {
            var outcome = await coordinator.ApplyAsync(tx.Workflows, tx.Tasks, [new RunStarted(id)], cancellationToken).ConfigureAwait(false);
            metrics.Record(outcome.Measures);
            signals.Wake();
        }
        return new StartedRun(id, stored.Version, created);
    }

    /// <summary>Checks a run's input: null or blank is <c>{}</c>, anything else must be a JSON object.</summary>
    internal static string CheckInput(string? inputJson)
    {
        if (string.IsNullOrWhiteSpace(inputJson)) return "{}";
        try
        {
            using var doc = JsonDocument.Parse(inputJson);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new TaskValidationException("input", "must be a JSON object");
            return doc.RootElement.GetRawText();
        }
        catch (JsonException ex)
        {
            throw new TaskValidationException("input", $"is not valid JSON: {ex.Message}");
        }
    }

    public async Task<RunDetails?> GetRunAsync(long runId, CancellationToken cancellationToken = default)
    {
        var run = await store.Workflows.GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
        if (run is null) return null;
        var steps = await store.Workflows.GetStepsAsync([runId], cancellationToken).ConfigureAwait(false);
        var definition = WorkflowJson.Parse(run.DefinitionJson);
        var order = definition.Steps.Select((s, i) => (s.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
        return new RunDetails(run, definition, [.. steps.OrderBy(s => order.GetValueOrDefault(s.StepId, int.MaxValue))]);
    }

    public Task<IReadOnlyList<StepRun>> GetItemsAsync(long runId, string stepId, CancellationToken cancellationToken = default) =>
        store.Workflows.GetItemsAsync(runId, stepId, cancellationToken);

    public Task<RunPage> ListRunsAsync(RunQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit is < 1 or > 1000) throw new TaskValidationException("limit", $"must be between 1 and 1000 (was {query.Limit})");
        return store.Workflows.ListRunsAsync(query, cancellationToken);
    }

    public Task<RunAction> CancelAsync(long runId, CancellationToken cancellationToken = default) =>
        ActAsync(new RunCancelRequested(runId, "cancelled by an operator"), cancellationToken);

    public Task<RunAction> PauseAsync(long runId, CancellationToken cancellationToken = default) =>
        ActAsync(new RunPauseChanged(runId, true), cancellationToken);

    public Task<RunAction> ResumeAsync(long runId, CancellationToken cancellationToken = default) =>
        ActAsync(new RunPauseChanged(runId, false), cancellationToken);

    public Task<RunAction> RetryAsync(long runId, CancellationToken cancellationToken = default) =>
        ActAsync(new RunRetryRequested(runId), cancellationToken);

    public Task<RunAction> SignalAsync(long runId, string signal, string? payloadJson = null, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(signal) || signal.Length > 64) throw new TaskValidationException("signal", "must be 1–64 characters");
        string payload;
        try
        {
            using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(payloadJson) ? "{}" : payloadJson);
            payload = doc.RootElement.GetRawText();
        }
        catch (JsonException ex)
        {
            throw new TaskValidationException("payload", $"is not valid JSON: {ex.Message}");
        }
        return ActAsync(new RunSignalled(runId, signal, payload), cancellationToken);
    }

    private async Task<RunAction> ActAsync(RunEvent e, CancellationToken cancellationToken)
    {
        var outcome = await store.InTransactionAsync((tx, ct) => coordinator.ApplyAsync(tx.Workflows, tx.Tasks, [e], ct), cancellationToken).ConfigureAwait(false);
        if (outcome.TasksInserted > 0) signals.Wake();
        metrics.Record(outcome.Measures);
        if (outcome.Applied.Count == 0 || !outcome.Applied[0])
        {
            return await store.Workflows.GetRunAsync(e.RunId, cancellationToken).ConfigureAwait(false) is null ? RunAction.NotFound : RunAction.NotApplicable;
        }
        return RunAction.Done;
    }

    public async Task<WorkflowRun> WaitAsync(long runId, CancellationToken cancellationToken = default)
    {
        // Runs finish in whichever process completes their last step: poll, backing off to half a second.
        var delay = TimeSpan.FromMilliseconds(10);
        while (true)
        {
            var run = await store.Workflows.GetRunAsync(runId, cancellationToken).ConfigureAwait(false)
                ?? throw new KeyNotFoundException($"No workflow run with id {runId}.");
            if (run.State.IsFinal()) return run;
            await Task.Delay(delay, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 500));
        }
    }
}
