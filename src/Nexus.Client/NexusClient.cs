using System.Net;
using System.Text.Json;
using Nexus.Client.Http;

namespace Nexus.Client;

/// <summary>
/// A typed client of the Nexus HTTP API. Every call takes a <see cref="CancellationToken"/>; a refusal throws
/// <see cref="NexusApiException"/> with the server's problem details, and a server that cannot be reached (or answers
/// with something that is not the Nexus API) throws <see cref="NexusConnectionException"/>.
/// </summary>
/// <example><code>
/// using var http = new HttpClient();
/// var nexus = new NexusClient(http, new NexusClientOptions { BaseAddress = new("http://127.0.0.1:5080"), ApiKey = key });
/// var task = await nexus.Tasks.SubmitAsync(new SubmitTaskRequest("text.wordcount", JsonDocument.Parse("""{"inputFile":"a.txt"}""").RootElement));
/// var done = await nexus.Tasks.WaitAsync(task.Id);
/// </code></example>
public sealed class NexusClient
{
    private readonly NexusHttp _http;

    /// <summary>Creates a client over <paramref name="http"/>, which the caller owns (the client never disposes it).
    /// The address is <see cref="NexusClientOptions.BaseAddress"/>; the API key is sent per request, so one
    /// <see cref="HttpClient"/> can serve clients with different keys.</summary>
    /// <exception cref="ArgumentException">The base address is not absolute.</exception>
    public NexusClient(HttpClient http, NexusClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        _http = new NexusHttp(http, options);
        Tasks = new TasksClient(_http);
        DeadLetters = new DeadLettersClient(_http);
        Queues = new QueuesClient(_http);
        Events = new EventsClient(_http);
        Plugins = new PluginsClient(_http);
        Keys = new KeysClient(_http);
        Nodes = new NodesClient(_http);
        Workers = new WorkersClient(_http);
        Artifacts = new ArtifactsClient(_http);
        Workflows = new WorkflowsClient(_http);
        State = new StateClient(_http);
        Live = new LiveClient(options);
        Schedules = new SchedulesClient(_http);
        Services = new ServicesClient(_http);
    }

    /// <summary>The name of the <see cref="HttpClient"/> that <see cref="NexusClientServiceCollectionExtensions.AddNexusClient"/>
    /// registers with <c>IHttpClientFactory</c>, for further configuration (handlers, timeouts).</summary>
    public const string HttpClientName = "Nexus.Client";

    /// <summary>The server address requests go to (always ending in <c>/</c>).</summary>
    public Uri BaseAddress => _http.BaseAddress;

    /// <summary>Tasks: submit, batch, get, list, cancel, retry, delete.</summary>
    public TasksClient Tasks { get; }

    /// <summary>Dead letters: list, retry one, retry or purge by filter.</summary>
    public DeadLettersClient DeadLetters { get; }

    /// <summary>Events: namespaces, emit, read, subscriptions, replay, consumers, dead letters.</summary>
    public EventsClient Events { get; }

    /// <summary>Queues: counts, pause, resume, limits.</summary>
    public QueuesClient Queues { get; }

    /// <summary>Plugins and their args schemas.</summary>
    public PluginsClient Plugins { get; }

    /// <summary>API keys (admins only).</summary>
    public KeysClient Keys { get; }

    /// <summary>Cluster nodes and their heartbeats.</summary>
    public NodesClient Nodes { get; }

    /// <summary>External workers: register the plugins they serve, lease (long poll), heartbeat, complete, deregister.</summary>
    public WorkersClient Workers { get; }

    /// <summary>Cron schedules: create, pause, resume, preview, history.</summary>
    public SchedulesClient Schedules { get; }

    /// <summary>The service registry: register, heartbeat, deregister, list by capability and health.</summary>
    public ServicesClient Services { get; }

    /// <summary>The files the plugins wrote under the server's artifacts root: list and download.</summary>
    public ArtifactsClient Artifacts { get; }

    /// <summary>Workflows and their runs: register, start, show with steps, cancel, retry, pause, resume, signal.</summary>
    public WorkflowsClient Workflows { get; }
    /// <summary>The versioned state store: get, set (compare-and-set), delete, list, history.</summary>
    public StateClient State { get; }

    /// <summary>Live subscriptions over /ws that resume by themselves after a drop.</summary>
    public LiveClient Live { get; }

    /// <summary><c>GET /healthz</c>: the server process answers.</summary>
    public Task<AliveResponse> HealthAsync(CancellationToken cancellationToken = default) =>
        _http.GetAsync("healthz", ClientJson.Default.AliveResponse, cancellationToken);

    /// <summary><c>GET /readyz</c>: whether the store answers and is migrated. A server that is not ready answers 503
    /// with the same body, returned here with <see cref="ReadyResponse.IsReady"/> false rather than thrown.</summary>
    public Task<ReadyResponse> ReadyAsync(CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Get, "readyz", null, ClientJson.Default.ReadyResponse, cancellationToken, alsoAccept: HttpStatusCode.ServiceUnavailable);

    /// <summary><c>GET /api/v1/whoami</c>: who the server takes this client for.</summary>
    public Task<WhoAmIResponse> WhoAmIAsync(CancellationToken cancellationToken = default) =>
        _http.GetAsync("api/v1/whoami", ClientJson.Default.WhoAmIResponse, cancellationToken);

    /// <summary><c>POST /graphql</c>: runs a GraphQL query or mutation (docs/graphql.md) and returns the whole answer,
    /// <c>data</c> and <c>errors</c> alike (a request that did not execute, such as a parse error, answers 400 with
    /// <c>errors</c> and is returned too). Missing credentials or rights at the door throw <see cref="NexusApiException"/>.</summary>
    /// <param name="query">The GraphQL document.</param>
    /// <param name="variables">A JSON object of variables, or null.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <example><code>
    /// using var answer = await nexus.GraphQlAsync("query($ns: String!) { state(namespace: $ns, key: \"cfg\") { value version } }",
    ///     JsonSerializer.SerializeToElement(new { ns = "app" }));
    /// var version = answer.RootElement.GetProperty("data").GetProperty("state").GetProperty("version").GetInt64();
    /// </code></example>
    public async Task<JsonDocument> GraphQlAsync(string query, JsonElement? variables = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        if (variables is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) }) throw new ArgumentException("variables must be a JSON object.", nameof(variables));
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("query", query);
            if (variables is { ValueKind: JsonValueKind.Object } v)
            {
                writer.WritePropertyName("variables");
                v.WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        var answer = await _http.SendAsync(HttpMethod.Post, "graphql", NexusHttp.Json(System.Text.Encoding.UTF8.GetString(buffer.ToArray())), ClientJson.Default.JsonElement,
            cancellationToken, alsoAccept: HttpStatusCode.BadRequest).ConfigureAwait(false);
        return JsonDocument.Parse(answer.GetRawText());
    }

    /// <summary><c>GET /api/v1/server</c>: version, store, node and auth methods of the answering server.</summary>
    public Task<ServerInfoResponse> ServerInfoAsync(CancellationToken cancellationToken = default) =>
        _http.GetAsync("api/v1/server", ClientJson.Default.ServerInfoResponse, cancellationToken);
}
