using Nexus.Contracts;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Nexus.Hosting;
using Nexus.Plugins;
using Nexus.Server.Api;
using Nexus.Server.Auth;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Server.Workers;

/// <summary><c>/api/v1/workers/{workerId}</c>: external workers in any language register the plugins they serve
/// (PUT), lease tasks with long polling, heartbeat and complete them (see <see cref="WorkerTaskEndpoints"/>), and
/// deregister (DELETE). Every call needs the worker (or admin) role.</summary>
internal static partial class WorkerEndpoints
{
    public const int MaxPlugins = 100;
    public const string DefaultQueue = "external";

    public static void MapWorkerEndpoints(this RouteGroupBuilder api)
    {
        var workers = api.MapGroup("/workers/{workerId}").WithTags("Workers");
        workers.MapPut("", RegisterAsync).Require(Right.Work)
            .WithSummary("Register an external worker and declare the plugins it serves").Accepts<RegisterWorkerRequest>("application/json")
            .Produces<RegisterWorkerResponse>().ProducesCommonProblems(400, 409, 413, 415);
        workers.MapDelete("", DeregisterAsync).Require(Right.Work)
            .WithSummary("Deregister: hand back the tasks it still holds and leave the node list").Produces<DeregisterResponse>().ProducesCommonProblems(400, 404);
        workers.MapWorkerTaskEndpoints();
    }

    /// <summary>Validates the route's worker id: 1–128 letters, digits, '.', '_', ':' or '-', starting with a letter or digit.</summary>
    public static string Id(string workerId) =>
        IdPattern().IsMatch(workerId) ? workerId
        : throw ApiProblemException.Invalid("workerId", $"'{QueryValues.Shorten(workerId)}' is not a valid worker id: use 1–128 letters, digits, '.', '_', ':' or '-', starting with a letter or digit");

    private static async Task<IResult> RegisterAsync(
        HttpContext http, string workerId, INexusStore store, PluginRegistry registry, IOptions<NexusOptions> options, TimeProvider time, WorkerPresence presence)
    {
        var id = Id(workerId);
        var body = await RequestJson.ReadAsync<RegisterWorkerRequest>(http.Request);
        var caller = Caller.From(http.User);
        var plugins = Declarations(body!, caller, registry, id);
        var concurrency = body!.Concurrency ?? 1;
        if (concurrency is < 1 or > 10_000) throw ApiProblemException.Invalid("concurrency", $"must be between 1 and 10000 (was {concurrency})");
        if (body.Host is { Length: > 255 }) throw ApiProblemException.Invalid("host", "must be at most 255 characters");
        var (nodes, declared) = (store.Nodes, store.ExternalPlugins);

        var existing = (await nodes.ListAsync(new ListNodesParams(TimeSpan.FromDays(365)) { Id = id }, http.RequestAborted)).SingleOrDefault();
        if (existing is { Kind: not NodeKinds.External })
        {
            throw new ApiProblemException(409, "worker-id-taken", "Conflict", $"workerId: '{id}' is the id of a Nexus engine node; pick another worker id.", "workerId");
        }
        // Re-registering a worker of queues the caller may not use would take its id over (and its leases with it).
        if (existing is not null && !caller.CanUseAll(existing.Queues))
        {
            throw new ApiProblemException(409, "worker-id-taken", "Conflict", $"workerId: '{id}' is the id of another worker; pick another worker id.", "workerId");
        }
        await EnsureNoTakeoverAsync(plugins, caller, declared, http.RequestAborted);
        await declared.DeclareAsync(new DeclarePluginsParams(plugins), http.RequestAborted);
        var queues = plugins.Select(p => p.Queue).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var names = plugins.Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
        await nodes.UpsertAsync(new NodeHeartbeat
        {
            Id = id,
            Kind = NodeKinds.External,
            Host = body.Host ?? http.Connection.RemoteIpAddress?.ToString() ?? "",
            Concurrency = concurrency,
            Queues = queues,
            Plugins = names,
            // A re-registration (after a restart of the server or a network hiccup) keeps the first start time.
            StartedAt = existing?.StartedAt ?? time.GetUtcNow(),
        }, http.RequestAborted);
        presence.Remember(id, queues);
        var o = options.Value;
        return Results.Ok(new RegisterWorkerResponse(id, names, queues, (long)o.LeaseDuration.TotalMilliseconds, (long)o.HeartbeatInterval.TotalMilliseconds,
            WorkerTaskEndpoints.MaxLease, WorkerTaskEndpoints.MaxWaitMs));
    }

    /// <summary>Refuses to re-declare a plugin that is served in a queue the caller may not use: the declaration
    /// would move it (and its args schema, and the tasks submitted to it) into the caller's queue. The queue it is
    /// served in is not told.</summary>
    private static async Task EnsureNoTakeoverAsync(List<ExternalPlugin> plugins, Caller caller, IExternalPluginStore declared, CancellationToken cancellationToken)
    {
        if (!caller.IsLimited) return;
        var current = (await declared.ListAsync(cancellationToken)).ToDictionary(p => p.Name, p => p.Queue, StringComparer.Ordinal);
        for (var i = 0; i < plugins.Count; i++)
        {
            if (current.TryGetValue(plugins[i].Name, out var queue) && !caller.CanUse(queue))
            {
                var at = $"plugins[{i}].name";
                throw new ApiProblemException(409, "plugin-conflict", "Conflict",
                    $"{at}: '{plugins[i].Name}' is already served by another worker, in a queue you may not use; pick another plugin name.", at);
            }
        }
    }

    private static List<ExternalPlugin> Declarations(RegisterWorkerRequest body, Caller caller, PluginRegistry registry, string workerId)
    {
        var items = body.Plugins ?? throw ApiProblemException.Invalid("plugins", "is required: the plugins this worker serves");
        if (items.Count is 0 or > MaxPlugins) throw ApiProblemException.Invalid("plugins", $"must hold 1–{MaxPlugins} plugins (had {items.Count})");
        var list = new List<ExternalPlugin>(items.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var at = $"plugins[{i}].";
            var p = items[i] ?? throw ApiProblemException.Invalid($"plugins[{i}]", "must be a plugin object");
            if (p.Name is null || !PluginName().IsMatch(p.Name))
            {
                throw ApiProblemException.Invalid(at + "name", $"'{QueryValues.Shorten(p.Name ?? "(none)")}' is not a valid plugin name: use lower-case letters, digits and . _ - (1–128 characters, starting with a letter or digit)");
            }
            if (!seen.Add(p.Name)) throw ApiProblemException.Invalid(at + "name", $"'{p.Name}' is declared twice");
            if (registry.TryGet(p.Name, out _))
            {
                throw new ApiProblemException(409, "plugin-conflict", "Conflict", $"{at}name: '{p.Name}' is a plugin of the server itself; an external worker cannot serve it under that name.", at + "name");
            }
            if (p.Description is { Length: > 1000 }) throw ApiProblemException.Invalid(at + "description", "must be at most 1000 characters");
            if (p.Version is { Length: 0 or > 64 }) throw ApiProblemException.Invalid(at + "version", "must be 1–64 characters");
            var queue = p.Queue ?? DefaultQueue;
            if (!QueueName.IsValid(queue)) QueueName.Validate(queue, at + "queue");
            caller.EnsureQueue(queue, at + "queue");
            if (p.MaxAttempts is < 1 or > 1000) throw ApiProblemException.Invalid(at + "maxAttempts", $"must be between 1 and 1000 (was {p.MaxAttempts})");
            if (p.TimeoutMs is <= 0 or > 7L * 24 * 3600 * 1000) throw ApiProblemException.Invalid(at + "timeoutMs", "must be between 1 and 604800000 (7 days)");
            var schemaJson = p.ArgsSchema is { ValueKind: not JsonValueKind.Null } schema ? schema.GetRawText() : """{"type":"object"}""";
            JsonArgsSchema.Parse(schemaJson, at + "argsSchema"); // throws naming the keyword at fault
            list.Add(new ExternalPlugin
            {
                Name = p.Name,
                Description = p.Description ?? "",
                Version = p.Version ?? "1.0.0",
                Queue = queue,
                ArgsSchemaJson = schemaJson,
                MaxAttempts = p.MaxAttempts,
                Timeout = p.TimeoutMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
                DeclaredBy = workerId,
            });
        }
        return list;
    }

    private static async Task<IResult> DeregisterAsync(HttpContext http, string workerId, INexusStore store, WorkerPresence presence, TaskArrivals arrivals)
    {
        var id = Id(workerId);
        var worker = await WorkerTaskEndpoints.LoadWorkerAsync(store, id, Caller.From(http.User), http.RequestAborted);
        // Its running tasks go back to their queues without spending the attempt, fenced by their lease tokens.
        var held = new List<TaskCompletion>();
        foreach (var plugin in worker.Plugins)
        {
            var page = await store.Tasks.ListAsync(new TaskQuery { State = TaskState.Running, Plugin = plugin, Limit = 1000 }, http.RequestAborted);
            held.AddRange(page.Items.Where(t => t.LeasedBy == id && t.LeaseToken is not null)
                .Select(t => new TaskCompletion(t.Id, t.LeaseToken!.Value, CompletionKind.Released)));
        }
        var released = held.Count == 0 ? 0 : (await store.Tasks.CompleteAsync(new CompleteParams(held), http.RequestAborted)).Count(accepted => accepted);
        await store.Nodes!.RemoveAsync(new NodeRefParams(id), http.RequestAborted);
        presence.Forget(id);
        if (released > 0) arrivals.Pulse();
        return Results.Ok(new DeregisterResponse(released));
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,127}$")]
    private static partial Regex PluginName();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")]
    private static partial Regex IdPattern();
}
