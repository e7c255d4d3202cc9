using System.Text.Json;
using Nexus.Client.Http;

namespace Nexus.Client;

/// <summary><c>/api/v1/workflows</c> and <c>/api/v1/runs</c>. Reached through <see cref="NexusClient.Workflows"/>.</summary>
public sealed class WorkflowsClient
{
    private readonly NexusHttp _http;

    internal WorkflowsClient(NexusHttp http) => _http = http;

    /// <summary>The latest version of every workflow.</summary>
    public async Task<IReadOnlyList<WorkflowResponse>> ListAsync(CancellationToken cancellationToken = default) =>
        (await _http.GetAsync("api/v1/workflows", ClientJson.Default.WorkflowListResponse, cancellationToken).ConfigureAwait(false)).Items;

    /// <summary>One workflow's latest version, or <paramref name="version"/>.</summary>
    public Task<WorkflowResponse> GetAsync(string name, int? version = null, CancellationToken cancellationToken = default) =>
        _http.GetAsync(new QueryString("api/v1/workflows/" + QueryString.Segment(name)).Add("version", version).ToString(), ClientJson.Default.WorkflowResponse, cancellationToken);

    /// <summary>Every version of a workflow, oldest first.</summary>
    public async Task<IReadOnlyList<WorkflowResponse>> VersionsAsync(string name, CancellationToken cancellationToken = default) =>
        (await _http.GetAsync($"api/v1/workflows/{QueryString.Segment(name)}/versions", ClientJson.Default.WorkflowListResponse, cancellationToken).ConfigureAwait(false)).Items;

    /// <summary>Registers a definition (its JSON text) as the workflow's next version; <see cref="WorkflowResponse.Created"/>
    /// is false when it equalled the latest. Throws <see cref="NexusApiException"/> naming the field at fault.</summary>
    public Task<WorkflowResponse> RegisterAsync(string definitionJson, CancellationToken cancellationToken = default) =>
        _http.PostAsync("api/v1/workflows", NexusHttp.Json(definitionJson), ClientJson.Default.WorkflowResponse, cancellationToken);

    /// <summary>The JSON Schema of definitions.</summary>
    public Task<JsonElement> SchemaAsync(CancellationToken cancellationToken = default) =>
        _http.GetAsync("api/v1/workflows/schema", ClientJson.Default.JsonElement, cancellationToken);

    /// <summary>Starts a run with an input object (default <c>{}</c>).</summary>
    public Task<StartRunResponse> StartAsync(string workflow, JsonElement? input = null, string? idempotencyKey = null, int? version = null, CancellationToken cancellationToken = default) =>
        _http.PostAsync($"api/v1/workflows/{QueryString.Segment(workflow)}/runs",
            NexusHttp.Json(new StartRunRequest(input, idempotencyKey, version), ClientJson.Default.StartRunRequest), ClientJson.Default.StartRunResponse, cancellationToken);

    /// <summary>A run with every step.</summary>
    public Task<RunResponse> GetRunAsync(long runId, CancellationToken cancellationToken = default) =>
        _http.GetAsync("api/v1/runs/" + QueryString.Id(runId), ClientJson.Default.RunResponse, cancellationToken);

    /// <summary>Runs, newest first.</summary>
    public Task<RunListResponse> ListRunsAsync(string? workflow = null, string? state = null, string? before = null, int? limit = null, CancellationToken cancellationToken = default) =>
        _http.GetAsync(new QueryString("api/v1/runs").Add("workflow", workflow).Add("state", state).Add("before", before).Add("limit", limit).ToString(),
            ClientJson.Default.RunListResponse, cancellationToken);

    /// <summary>The items of a forEach step.</summary>
    public async Task<IReadOnlyList<StepResponse>> ItemsAsync(long runId, string stepId, CancellationToken cancellationToken = default) =>
        (await _http.GetAsync($"api/v1/runs/{QueryString.Id(runId)}/steps/{QueryString.Segment(stepId)}/items", ClientJson.Default.StepItemListResponse, cancellationToken).ConfigureAwait(false)).Items;

    /// <summary>Cancels a run.</summary>
    public Task<RunResponse> CancelAsync(long runId, CancellationToken cancellationToken = default) => ActAsync(runId, "cancel", cancellationToken);

    /// <summary>Retries a failed, compensated or cancelled run from its failed steps.</summary>
    public Task<RunResponse> RetryAsync(long runId, CancellationToken cancellationToken = default) => ActAsync(runId, "retry", cancellationToken);

    /// <summary>Pauses a run.</summary>
    public Task<RunResponse> PauseAsync(long runId, CancellationToken cancellationToken = default) => ActAsync(runId, "pause", cancellationToken);

    /// <summary>Resumes a paused run.</summary>
    public Task<RunResponse> ResumeAsync(long runId, CancellationToken cancellationToken = default) => ActAsync(runId, "resume", cancellationToken);

    /// <summary>Sends a signal (with a JSON payload) to the run's step waiting for it.</summary>
    public Task<RunResponse> SignalAsync(long runId, string signal, JsonElement? payload = null, CancellationToken cancellationToken = default) =>
        _http.PostAsync($"api/v1/runs/{QueryString.Id(runId)}/signal", NexusHttp.Json(new SignalRequest(signal, payload), ClientJson.Default.SignalRequest), ClientJson.Default.RunResponse, cancellationToken);

    /// <summary>One page of a run's artifacts (every step's files, offloaded outputs and logs); each
    /// <see cref="ArtifactResponse.Path"/> is relative to the run (<c>&lt;step&gt;/&lt;file&gt;</c>), what
    /// <see cref="DownloadRunArtifactAsync"/> takes. Page with <paramref name="after"/> = a previous page's
    /// <see cref="ArtifactListResponse.Next"/>.</summary>
    public Task<ArtifactListResponse> ListRunArtifactsAsync(long runId, string? after = null, int? limit = null, CancellationToken cancellationToken = default) =>
        _http.GetAsync(new QueryString($"api/v1/runs/{QueryString.Id(runId)}/artifacts").Add("after", after).Add("limit", limit).ToString(),
            ClientJson.Default.ArtifactListResponse, cancellationToken);

    /// <summary>Streams one of a run's artifacts (<paramref name="name"/> relative to the run) into <paramref name="destination"/>.</summary>
    /// <exception cref="NexusApiException"><c>not-found</c> when the run or the artifact does not exist; <c>validation</c>
    /// naming <c>name</c> for a name that could leave the run's folder.</exception>
    public Task<ArtifactDownload> DownloadRunArtifactAsync(long runId, string name, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(destination);
        var url = $"api/v1/runs/{QueryString.Id(runId)}/artifacts/" + string.Join('/', name.Split('/').Select(QueryString.Segment));
        return _http.DownloadAsync(url, destination, name, cancellationToken);
    }

    /// <summary>The log of one attempt of a step (default: its latest), or of one item of a forEach step.</summary>
    /// <exception cref="NexusApiException"><c>not-found</c> when the attempt logged nothing (or has not run).</exception>
    public async Task<string> GetStepLogAsync(long runId, string stepId, int? attempt = null, int? item = null, CancellationToken cancellationToken = default)
    {
        var url = new QueryString($"api/v1/runs/{QueryString.Id(runId)}/steps/{QueryString.Segment(stepId)}/logs").Add("attempt", attempt).Add("item", item).ToString();
        using var text = new MemoryStream();
        await _http.DownloadAsync(url, text, stepId, cancellationToken).ConfigureAwait(false);
        return System.Text.Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length);
    }

    /// <summary>Polls the run every <paramref name="pollInterval"/> (default 200 ms) until it is finished, and returns it.</summary>
    public async Task<RunResponse> WaitAsync(long runId, TimeSpan? pollInterval = null, CancellationToken cancellationToken = default)
    {
        var interval = pollInterval ?? TimeSpan.FromMilliseconds(200);
        while (true)
        {
            var run = await GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
            if (run.IsFinished) return run;
            await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
        }
    }

    private Task<RunResponse> ActAsync(long runId, string action, CancellationToken cancellationToken) =>
        _http.PostAsync($"api/v1/runs/{QueryString.Id(runId)}/{action}", null, ClientJson.Default.RunResponse, cancellationToken);
}
