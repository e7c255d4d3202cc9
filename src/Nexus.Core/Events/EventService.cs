using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Nexus.Engine;
using Nexus.Hosting;
using Nexus.Observability;
using Nexus.Plugins;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Events;

/// <summary>Validates and appends events, manages subscriptions, plans deliveries (one task per subscription and event)
/// and serves external consumers. The dispatcher loop calls <see cref="DispatchAsync"/>.</summary>
internal sealed class EventService(
    INexusStore store,
    INexusTasks tasks,
    PluginRegistry registry,
    ExternalPluginCatalog externals,
    IOptions<NexusOptions> options,
    TimeProvider time,
    EventMetrics metrics,
    WakeSignal taskWake,
    EventHandlerRegistry handlers,
    IEnumerable<ISubscriptionAction> actions,
    ILogger<EventService>? logger = null) : INexusEvents
{
    /// <summary>The plugin name of consumer deliveries: no node runs it; consumers lease them over HTTP.</summary>
    public const string ConsumerPlugin = "nexus.event-consumer";
    private const int MaxBatch = 10_000;
    private const int MaxKeyLength = 255;
    private readonly StoreClock _clock = new(time);
    private readonly Dictionary<string, ISubscriptionAction> _actions = actions.GroupBy(a => a.Kind, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.LastOrDefault(a => a.GetType().Assembly != typeof(EventService).Assembly) ?? g.Last(), StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, (string Pattern, string? Filter, TopicPattern Parsed, Filters.JsonFilter? ParsedFilter)> _compiled = new();
    private readonly ConcurrentQueue<long> _deadTasks = new();
    private readonly ConcurrentQueue<NewDeadLetter> _pendingDead = new();
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    private EventOptions Settings => options.Value.Events;

    /// <summary>The event area's metrics (the lag monitor reports to them).</summary>
    internal EventMetrics Metrics => metrics;

    /// <summary>Raised by emits on this node and dead deliveries: the dispatcher looks at once.</summary>
    public WakeSignal DispatchWake { get; } = new();

    /// <summary>Raised after an append committed on this node, or when another node says it appended (NOTIFY):
    /// readers that follow the log (the live hub) read on. A hint only: the log is the truth.</summary>
    public event Action? LogWritten;

    /// <summary>The log entries of state and document changes.</summary>
    public State.ChangeLog Changes => LazyInitializer.EnsureInitialized(ref _changes, () => new State.ChangeLog(LogAppended));

    private State.ChangeLog? _changes;

    /// <summary>Something was appended (here, committed; or elsewhere, notified): wake the dispatcher and the readers.</summary>
    public void LogAppended()
    {
        DispatchWake.Set();
        LogWritten?.Invoke();
    }

    public async Task<NamespaceRecord> CreateNamespaceAsync(string name, string? description = null, CancellationToken cancellationToken = default)
    {
        Names.Namespace(name, "name");
        if (description is { Length: > 500 }) throw new TaskValidationException("description", "has at most 500 characters");
        var (created, _) = await store.Events.CreateNamespaceAsync(new NewNamespace(name, description) { Now = _clock.Now }, cancellationToken).ConfigureAwait(false);
        return created;
    }

    public Task<IReadOnlyList<NamespaceRecord>> ListNamespacesAsync(CancellationToken cancellationToken = default) =>
        store.Events.ListNamespacesAsync(cancellationToken);

    public async Task<AppendResult> EmitAsync(string @namespace, EventRequest e, CancellationToken cancellationToken = default) =>
        (await EmitManyAsync(@namespace, [e], cancellationToken).ConfigureAwait(false))[0];

    public Task<IReadOnlyList<AppendResult>> EmitManyAsync(string @namespace, IReadOnlyList<EventRequest> events, CancellationToken cancellationToken = default) =>
        AppendAsync(@namespace, Prepare(events, allowReserved: false), cancellationToken);

    /// <summary>Appends Nexus's own events (<c>$</c>-topics allowed), e.g. state changes.</summary>
    public Task<IReadOnlyList<AppendResult>> EmitSystemAsync(string @namespace, IReadOnlyList<EventRequest> events, CancellationToken cancellationToken = default) =>
        AppendAsync(@namespace, Prepare(events, allowReserved: true), cancellationToken);

    private async Task<IReadOnlyList<AppendResult>> AppendAsync(string @namespace, IReadOnlyList<NewEvent> rows, CancellationToken cancellationToken)
    {
        Names.Namespace(@namespace);
        var results = await store.Events.AppendAsync(new AppendEventsParams(@namespace, rows) { Now = _clock.Now }, cancellationToken).ConfigureAwait(false);
        Appended(@namespace, rows, results);
        return results;
    }

    /// <summary>After an append committed (here or in a caller's transaction): metrics, and wake the dispatcher.</summary>
    public void Appended(string @namespace, IReadOnlyList<NewEvent> rows, IReadOnlyList<AppendResult> results)
    {
        for (var i = 0; i < rows.Count; i++)
        {
            if (results[i].Created) metrics.Emitted(@namespace, rows[i].Topic, 1);
        }
        LogAppended();
    }

    public IReadOnlyList<NewEvent> Prepare(IReadOnlyList<EventRequest> events) => Prepare(events, allowReserved: false);

    internal IReadOnlyList<NewEvent> Prepare(IReadOnlyList<EventRequest> events, bool allowReserved)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0) throw new TaskValidationException("events", "must contain at least one event");
        if (events.Count > MaxBatch) throw new TaskValidationException("events", $"has at most {MaxBatch} events per call (was {events.Count})");
        var trace = TaskTraceContext.Capture(Activity.Current);
        var rows = new NewEvent[events.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            var at = events.Count == 1 ? "" : $"events[{i}].";
            var e = events[i] ?? throw new TaskValidationException($"events[{i}]", "is required");
            Topic.Validate(e.Topic, at + "topic", allowReserved);
            rows[i] = new NewEvent
            {
                Topic = e.Topic,
                PayloadJson = Payload(e.PayloadJson, at + "payload"),
                Priority = Enum.IsDefined(e.Priority) ? e.Priority : throw new TaskValidationException(at + "priority", "use low, normal, high or critical"),
                Key = Bounded(e.Key, at + "key"),
                Headers = Headers(e.Headers, at + "headers"),
                IdempotencyKey = Bounded(e.IdempotencyKey, at + "idempotencyKey"),
                TraceContext = trace,
            };
        }
        return rows;
    }

    private string Payload(string? json, string field)
    {
        if (json is null) throw new TaskValidationException(field, "is required (any JSON value)");
        if (json.Length > Settings.MaxPayloadBytes) throw new TaskValidationException(field, $"is larger than {Settings.MaxPayloadBytes} bytes");
        try
        {
            using var doc = JsonDocument.Parse(json);
            return json;
        }
        catch (JsonException ex)
        {
            throw new TaskValidationException(field, $"is not valid JSON ({ex.Message})");
        }
    }

    private static string? Bounded(string? value, string field)
    {
        if (value is null) return null;
        if (value.Length is 0 or > MaxKeyLength) throw new TaskValidationException(field, $"must be 1–{MaxKeyLength} characters");
        if (value.Any(char.IsControl)) throw new TaskValidationException(field, "must not contain control characters");
        return value;
    }

    private static Dictionary<string, string> Headers(IReadOnlyDictionary<string, string>? headers, string field)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (headers is null) return result;
        if (headers.Count > 32) throw new TaskValidationException(field, "has at most 32 headers");
        foreach (var (name, value) in headers)
        {
            if (name.Length is 0 or > 64 || name.Any(char.IsControl)) throw new TaskValidationException($"{field}.{Names.Shorten(name)}", "header names are 1–64 characters without control characters");
            if (value is null || value.Length > 1024) throw new TaskValidationException($"{field}.{name}", "header values are strings of at most 1024 characters");
            result[name] = value;
        }
        return result;
    }

    public async Task<EventPage> ReadAsync(string @namespace, LogCursor after, int limit = 100, CancellationToken cancellationToken = default)
    {
        Names.Namespace(@namespace);
        if (limit is < 1 or > MaxBatch) throw new TaskValidationException("limit", $"must be 1–{MaxBatch}");
        after = await LogPositions.ResolveAsync(store.Events, @namespace, after, "after", cancellationToken).ConfigureAwait(false);
        return await store.Events.ReadAsync(new ReadEventsParams(@namespace, after, limit), cancellationToken).ConfigureAwait(false);
    }

    public async Task<SubscriptionRecord> SubscribeAsync(SubscriptionRequest subscription, CancellationToken cancellationToken = default)
    {
        var p = await ValidateAsync(subscription, cancellationToken).ConfigureAwait(false);
        var created = await store.Events.CreateSubscriptionAsync(p, cancellationToken).ConfigureAwait(false);
        SubscriptionsChanged();
        return created;
    }

    /// <summary>How many times this node changed a subscription (created, moved or deleted one): the dispatcher's cue
    /// to look again whether any exists (see <see cref="EventDispatcher"/>).</summary>
    public int SubscriptionChanges => Volatile.Read(ref _subscriptionChanges);

    private int _subscriptionChanges;

    private void SubscriptionsChanged()
    {
        Interlocked.Increment(ref _subscriptionChanges);
        DispatchWake.Set();
    }

    /// <summary>Whether any namespace has a subscription (one short read).</summary>
    internal async Task<bool> AnySubscriptionAsync(CancellationToken cancellationToken) =>
        (await store.Events.ListSubscriptionsAsync(null, cancellationToken).ConfigureAwait(false)).Count > 0;

    /// <summary>Dead deliveries wait to be written to their dead letters.</summary>
    internal bool DeadPending => !_deadTasks.IsEmpty;

    internal async Task<NewSubscription> ValidateAsync(SubscriptionRequest r, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(r);
        Names.Namespace(r.Namespace);
        Names.Subscription(r.Name, "name");
        TopicPattern.Parse(r.Pattern, "pattern");
        if (r.Filter is not null) ParseFilter(r.Filter);
        if (r.MaxDeliveries is < 1 or > 100) throw new TaskValidationException("maxDeliveries", $"must be 1–100 (was {r.MaxDeliveries})");
        var start = r.Start ?? SubscriptionStart.New;
        if (start.Kind == SubscriptionStartKind.Position && start.Position is not >= 0) throw new TaskValidationException("start.position", "is required (0 or more) for a start from a position");
        if (start.Kind == SubscriptionStartKind.Time && start.Time is null) throw new TaskValidationException("start.time", "is required for a start from a time");
        var queue = r.Queue;
        if (queue is not null) QueueName.Validate(queue, "queue");
        switch (r.Action)
        {
            case SubscriptionActions.Plugin:
                if (string.IsNullOrEmpty(r.Target)) throw new TaskValidationException("target", "is required: the plugin to run for each event");
                if (registry.TryGet(r.Target, out var plugin)) queue ??= plugin.Queue;
                else
                {
                    await externals.EnsureAsync([r.Target], cancellationToken).ConfigureAwait(false);
                    if (!externals.TryGet(r.Target, out var external))
                    {
                        throw new TaskValidationException("target", $"'{Names.Shorten(r.Target)}' is not a registered plugin (nor one declared by an external worker)");
                    }
                    queue ??= external.Plugin.Queue;
                }
                if (r.ArgsTemplate is not null) ArgsTemplate.Validate(r.ArgsTemplate);
                break;
            case SubscriptionActions.Consumer:
                if (r.Target is not null) throw new TaskValidationException("target", "must be left out for a consumer subscription");
                if (r.ArgsTemplate is not null) throw new TaskValidationException("argsTemplate", "must be left out for a consumer subscription (consumers receive the event)");
                queue = "events";
                break;
            case SubscriptionActions.Handler:
                if (string.IsNullOrEmpty(r.Target) || handlers.Find(r.Namespace, r.Target) is null)
                {
                    throw new TaskValidationException("target", "must name a handler registered in this process with NexusBuilder.Subscribe");
                }
                break;
            default:
                if (r.Action is null || !_actions.TryGetValue(r.Action, out var action))
                {
                    throw new TaskValidationException("action", $"'{Names.Shorten(r.Action)}' is not an action: use {string.Join(", ", new[] { SubscriptionActions.Plugin, SubscriptionActions.Consumer, SubscriptionActions.Handler }.Concat(_actions.Keys))}");
                }
                action.Validate(r);
                break;
        }
        if (await store.Events.GetNamespaceAsync(r.Namespace, cancellationToken).ConfigureAwait(false) is null) throw EventJson.NamespaceNotFound(r.Namespace);
        return new NewSubscription
        {
            Namespace = r.Namespace,
            Name = r.Name,
            Pattern = r.Pattern,
            FilterJson = r.Filter,
            Action = r.Action,
            Target = r.Target,
            ArgsTemplateJson = r.ArgsTemplate,
            Queue = queue ?? QueueName.Default,
            MaxDeliveries = r.MaxDeliveries,
            OrderedByKey = r.OrderedByKey,
            Start = start,
            Now = _clock.Now,
        };
    }

    private static Filters.JsonFilter ParseFilter(string filter)
    {
        try
        {
            return Filters.JsonFilter.Parse(filter);
        }
        catch (Filters.FilterException ex)
        {
            throw new TaskValidationException(ex.Path.Length == 0 ? "filter" : "filter." + ex.Path, ex.Problem);
        }
    }

    public Task<SubscriptionRecord?> GetSubscriptionAsync(string @namespace, string name, CancellationToken cancellationToken = default) =>
        store.Events.GetSubscriptionAsync(Names.Namespace(@namespace), Names.Subscription(name), cancellationToken);

    public Task<IReadOnlyList<SubscriptionRecord>> ListSubscriptionsAsync(string @namespace, CancellationToken cancellationToken = default) =>
        store.Events.ListSubscriptionsAsync(Names.Namespace(@namespace), cancellationToken);

    public async Task<bool> UnsubscribeAsync(string @namespace, string name, CancellationToken cancellationToken = default)
    {
        var deleted = await store.Events.DeleteSubscriptionAsync(Names.Namespace(@namespace), Names.Subscription(name), cancellationToken).ConfigureAwait(false);
        if (deleted) SubscriptionsChanged();
        return deleted;
    }

    public async Task<SubscriptionRecord?> MoveCursorAsync(string @namespace, string name, SubscriptionStart to, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(to);
        if (await GetSubscriptionAsync(@namespace, name, cancellationToken).ConfigureAwait(false) is not { } sub) return null;
        var cursor = await store.Events.CursorAtAsync(sub.Namespace, to, cancellationToken).ConfigureAwait(false);
        await store.Events.MoveCursorAsync(sub.Id, cursor, cancellationToken).ConfigureAwait(false);
        SubscriptionsChanged();
        return sub with { Cursor = cursor };
    }

    public async Task<ReplayResult> ReplayAsync(ReplayRequest replay, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(replay);
        if (replay.Max is < 1 or > MaxBatch) throw new TaskValidationException("max", $"must be 1–{MaxBatch}");
        if (replay.ReplayId is { } id && (id.Length is 0 or > 64 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            throw new TaskValidationException("replayId", "must be 1–64 letters, digits, '-' or '_'");
        }
        if (replay.FromPosition is null && replay.ToPosition is null && replay.FromTime is null && replay.ToTime is null)
        {
            throw new TaskValidationException("from", "a replay needs a range: fromPosition/toPosition or fromTime/toTime");
        }
        var sub = await GetSubscriptionAsync(replay.Namespace, replay.Subscription, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"Namespace '{replay.Namespace}' has no subscription '{replay.Subscription}'.");
        var replayId = replay.ReplayId ?? Guid.NewGuid().ToString("N")[..16];
        var events = await store.Events.ReadRangeAsync(new ReadRangeParams(sub.Namespace, replay.FromPosition, replay.ToPosition, replay.Max)
        {
            FromTime = replay.FromTime,
            ToTime = replay.ToTime,
        }, cancellationToken).ConfigureAwait(false);
        var rows = Plan(sub, events, "r" + replayId);
        var made = 0;
        if (rows.Count > 0)
        {
            var results = await store.Tasks.InsertAsync(new InsertTasksParams(rows) { Now = _clock.Now }, cancellationToken).ConfigureAwait(false);
            made = results.Count(r => r.Created);
            metrics.Delivered(sub.Namespace, sub.Name, "replayed", made);
            taskWake.Set();
        }
        await FlushDeadAsync(cancellationToken).ConfigureAwait(false);
        return new ReplayResult(replayId, rows.Count, made);
    }

    public async Task<DispatchResult> DispatchAsync(CancellationToken cancellationToken = default)
    {
        var result = await store.Events.DispatchAsync(
            new DispatchParams(Settings.DispatchSubscriptions, Settings.DispatchBatch) { Now = _clock.Now },
            (sub, events) => Plan(sub, events, null), cancellationToken).ConfigureAwait(false);
        metrics.DispatchPass();
        if (result.Deliveries > 0) taskWake.Set();
        await FlushDeadAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>The delivery tasks of <paramref name="events"/> for one subscription: those whose topic matches the
    /// pattern and whose document matches the filter. Each has the unique key <c>event:{subscription}:{position}</c>
    /// (a replay adds its id, a moved cursor its epoch), so a second insert of the same delivery is a no-op.</summary>
    internal List<NewTask> Plan(SubscriptionRecord sub, IReadOnlyList<EventRecord> events, string? replay)
    {
        var compiled = _compiled.GetOrAdd(sub.Id, _ => Compile(sub));
        if (compiled.Pattern != sub.Pattern || compiled.Filter != sub.FilterJson) _compiled[sub.Id] = compiled = Compile(sub);
        var rows = new List<NewTask>();
        foreach (var e in events)
        {
            if (!compiled.Parsed.Matches(e.Topic)) continue;
            var doc = EventDocument.Json(e);
            if (compiled.ParsedFilter is { } filter)
            {
                using var parsed = JsonDocument.Parse(doc);
                if (!filter.Matches(parsed.RootElement)) continue;
            }
            var key = string.Create(CultureInfo.InvariantCulture, $"event:{sub.Id}:{e.Position}")
                + (replay is not null ? ":" + replay : sub.Epoch > 0 ? string.Create(CultureInfo.InvariantCulture, $":e{sub.Epoch}") : "");
            try
            {
                var row = PlanOne(sub, e, doc, key);
                // Per-key order: every keyed delivery waits; the store releases the oldest of a key when none of the key
                // is in flight (a replay's deliveries are outside the order).
                rows.Add(sub.OrderedByKey && e.Key is { } k && replay is null ? row with { Owner = DeliveryOwner.For(sub.Id, k), Waiting = true } : row);
                if (replay is null) metrics.Delivered(sub.Namespace, sub.Name, "dispatched");
            }
            catch (Exception ex) when (ex is TaskValidationException or UnknownPluginException or JsonException)
            {
                // An event the action cannot take (args the plugin refuses, a plugin gone): a dead letter at once.
                _pendingDead.Enqueue(new NewDeadLetter
                {
                    Namespace = sub.Namespace,
                    Subscription = sub.Name,
                    Position = e.Position,
                    Topic = e.Topic,
                    Reason = "The delivery could not be made: " + ex.Message,
                    Now = _clock.Now,
                });
            }
        }
        return rows;
    }

    private static (string, string?, TopicPattern, Filters.JsonFilter?) Compile(SubscriptionRecord sub) =>
        (sub.Pattern, sub.FilterJson, TopicPattern.Parse(sub.Pattern), sub.FilterJson is null ? null : ParseFilter(sub.FilterJson));

    private NewTask PlanOne(SubscriptionRecord sub, EventRecord e, string doc, string uniqueKey)
    {
        var submit = new SubmitOptions { Queue = sub.Queue, Priority = (int)e.Priority, MaxAttempts = sub.MaxDeliveries, UniqueKey = uniqueKey };
        TaskRequest request;
        switch (sub.Action)
        {
            case SubscriptionActions.Consumer:
                return new NewTask
                {
                    Plugin = ConsumerPlugin,
                    ArgsJson = doc,
                    Queue = ConsumerQueue(sub),
                    Priority = (int)e.Priority,
                    MaxAttempts = sub.MaxDeliveries,
                    UniqueKey = uniqueKey,
                    TraceContext = e.TraceContext,
                };
            case SubscriptionActions.Plugin:
                request = new TaskRequest(sub.Target!, ArgsTemplate.Render(sub.ArgsTemplateJson, doc), submit);
                break;
            case SubscriptionActions.Handler:
                request = new TaskRequest(EventHandlerPlugin.Name, $"{{\"handler\":{JsonSerializer.Serialize(sub.Target)},\"event\":{doc}}}", submit);
                break;
            default:
                if (!_actions.TryGetValue(sub.Action, out var action)) throw new TaskValidationException("action", $"no action '{sub.Action}' is registered in this process");
                var planned = action.Plan(sub, e, doc);
                request = planned with { Options = (planned.Options ?? new SubmitOptions()) with { Queue = sub.Queue, Priority = (int)e.Priority, MaxAttempts = sub.MaxDeliveries, UniqueKey = uniqueKey } };
                break;
        }
        var row = tasks.Prepare([request])[0];
        return row with { TraceContext = e.TraceContext ?? row.TraceContext };
    }

    /// <summary>The queue of a consumer subscription's deliveries: its own, so its group's consumers compete only among themselves.</summary>
    public static string ConsumerQueue(SubscriptionRecord sub) => SubscriptionActions.DeliveryQueue(sub);

    public async Task<IReadOnlyList<ConsumerDelivery>> ReceiveAsync(string @namespace, string subscription, string consumer, int max, TimeSpan visibility, CancellationToken cancellationToken = default)
    {
        if (max is < 1 or > 1000) throw new TaskValidationException("max", "must be 1–1000");
        if (visibility < TimeSpan.FromSeconds(1) || visibility > TimeSpan.FromHours(12)) throw new TaskValidationException("visibilityTimeout", "must be 1 s–12 h");
        if (string.IsNullOrEmpty(consumer) || consumer.Length > 128 || consumer.Any(char.IsControl)) throw new TaskValidationException("consumer", "must be 1–128 characters");
        var sub = await ConsumerSubscriptionAsync(@namespace, subscription, cancellationToken).ConfigureAwait(false);
        var claimed = await store.Tasks.ClaimAsync(new ClaimParams(consumer, max, visibility)
        {
            Queues = [ConsumerQueue(sub)],
            Plugins = [ConsumerPlugin],
            Now = _clock.Now,
        }, cancellationToken).ConfigureAwait(false);
        return [.. claimed.Select(t => new ConsumerDelivery(t.Id, t.LeaseToken ?? Guid.Empty, t.Attempt, t.MaxAttempts, t.LeaseExpiresAt, t.ArgsJson))];
    }

    public async Task<IReadOnlyList<bool>> AckAsync(string @namespace, string subscription, IReadOnlyList<LeaseRef> deliveries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        if (deliveries.Count is 0 or > 1000) throw new TaskValidationException("deliveries", "must hold 1–1000 deliveries");
        var sub = await ConsumerSubscriptionAsync(@namespace, subscription, cancellationToken).ConfigureAwait(false);
        var owned = await OwnedAsync(sub, deliveries, cancellationToken).ConfigureAwait(false);
        var mine = deliveries.Where((_, i) => owned[i]).ToList();
        var accepted = mine.Count == 0 ? [] : await store.Tasks.CompleteAsync(new CompleteParams(
            [.. mine.Select(d => new TaskCompletion(d.Id, d.LeaseToken, CompletionKind.Succeeded) { ResultJson = "true" })]) { Now = _clock.Now }, cancellationToken).ConfigureAwait(false);
        var results = new bool[deliveries.Count];
        for (int i = 0, j = 0; i < results.Length; i++) results[i] = owned[i] && accepted[j++];
        metrics.Delivered(sub.Namespace, sub.Name, "acked", results.Count(r => r));
        return results;
    }

    public async Task<bool> NackAsync(string @namespace, string subscription, LeaseRef delivery, TimeSpan delay, string? reason, CancellationToken cancellationToken = default)
    {
        if (delay < TimeSpan.Zero || delay > TimeSpan.FromDays(1)) throw new TaskValidationException("delay", "must be 0–24 h");
        if (reason is { Length: > 2000 }) throw new TaskValidationException("reason", "has at most 2000 characters");
        var sub = await ConsumerSubscriptionAsync(@namespace, subscription, cancellationToken).ConfigureAwait(false);
        var task = await store.Tasks.GetAsync(delivery.Id, cancellationToken).ConfigureAwait(false);
        if (task is null || task.Queue != ConsumerQueue(sub) || task.State != TaskState.Running) return false;
        var last = task.Attempt >= task.MaxAttempts;
        var error = new AttemptError(task.Attempt, time.GetUtcNow(), "Nack", reason ?? "The consumer gave the delivery back.", null);
        var accepted = (await store.Tasks.CompleteAsync(new CompleteParams(
            [new TaskCompletion(delivery.Id, delivery.LeaseToken, last ? CompletionKind.Dead : CompletionKind.Retry) { Error = error, Delay = delay }]) { Now = _clock.Now },
            cancellationToken).ConfigureAwait(false))[0];
        if (!accepted) return false;
        metrics.Delivered(sub.Namespace, sub.Name, "nacked");
        if (last)
        {
            using var doc = JsonDocument.Parse(task.ArgsJson);
            var e = EventDocument.Parse(doc.RootElement);
            await store.Events.AddDeadLetterAsync(new NewDeadLetter
            {
                Namespace = sub.Namespace,
                Subscription = sub.Name,
                Position = e.Position,
                Topic = e.Topic,
                TaskId = task.Id,
                Deliveries = task.Attempt,
                Reason = error.Message,
                Now = _clock.Now,
            }, cancellationToken).ConfigureAwait(false);
            metrics.Delivered(sub.Namespace, sub.Name, "dead");
        }
        return true;
    }

    public async Task<IReadOnlyList<bool>> ExtendAsync(string @namespace, string subscription, IReadOnlyList<LeaseRef> deliveries, TimeSpan visibility, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        if (deliveries.Count is 0 or > 1000) throw new TaskValidationException("deliveries", "must hold 1–1000 deliveries");
        if (visibility < TimeSpan.FromSeconds(1) || visibility > TimeSpan.FromHours(12)) throw new TaskValidationException("visibilityTimeout", "must be 1 s–12 h");
        var sub = await ConsumerSubscriptionAsync(@namespace, subscription, cancellationToken).ConfigureAwait(false);
        var owned = await OwnedAsync(sub, deliveries, cancellationToken).ConfigureAwait(false);
        var mine = deliveries.Where((_, i) => owned[i]).ToList();
        var statuses = mine.Count == 0 ? [] : await store.Tasks.HeartbeatAsync(new HeartbeatParams(mine, visibility) { Now = _clock.Now }, cancellationToken).ConfigureAwait(false);
        var results = new bool[deliveries.Count];
        for (int i = 0, j = 0; i < results.Length; i++) results[i] = owned[i] && statuses[j++].Held;
        return results;
    }

    private async Task<bool[]> OwnedAsync(SubscriptionRecord sub, IReadOnlyList<LeaseRef> deliveries, CancellationToken cancellationToken)
    {
        var owned = new bool[deliveries.Count];
        var queue = ConsumerQueue(sub);
        for (var i = 0; i < owned.Length; i++)
        {
            owned[i] = await store.Tasks.GetAsync(deliveries[i].Id, cancellationToken).ConfigureAwait(false) is { } t && t.Queue == queue;
        }
        return owned;
    }

    private async Task<SubscriptionRecord> ConsumerSubscriptionAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        var sub = await GetSubscriptionAsync(@namespace, name, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"Namespace '{@namespace}' has no subscription '{name}'.");
        if (sub.Action != SubscriptionActions.Consumer) throw new TaskValidationException("subscription", $"'{name}' is a {sub.Action} subscription; only consumer subscriptions are read over HTTP");
        return sub;
    }

    public Task<SubscriptionLag> LagAsync(SubscriptionRecord subscription, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        return store.Events.LagAsync(subscription.Namespace, subscription.Cursor, SubscriptionLag.Cap, cancellationToken);
    }

    /// <summary>The lag of every subscription of every namespace, for the lag gauges.</summary>
    internal async Task<IReadOnlyList<(SubscriptionRecord Subscription, SubscriptionLag Lag)>> LagOfAllAsync(CancellationToken cancellationToken)
    {
        var all = new List<(SubscriptionRecord, SubscriptionLag)>();
        foreach (var ns in await store.Events.ListNamespacesAsync(cancellationToken).ConfigureAwait(false))
        {
            // Subscriptions at the same cursor (the usual fan-out, dispatched together) share one probe.
            var byCursor = new Dictionary<LogCursor, SubscriptionLag>();
            foreach (var sub in await store.Events.ListSubscriptionsAsync(ns.Name, cancellationToken).ConfigureAwait(false))
            {
                if (!byCursor.TryGetValue(sub.Cursor, out var lag)) byCursor[sub.Cursor] = lag = await LagAsync(sub, cancellationToken).ConfigureAwait(false);
                all.Add((sub, lag));
            }
        }
        return all;
    }

    public Task<IReadOnlyList<EventDeadLetter>> ListDeadLettersAsync(string @namespace, int limit = 50, CancellationToken cancellationToken = default)
    {
        if (limit is < 1 or > 1000) throw new TaskValidationException("limit", "must be 1–1000");
        return store.Events.ListDeadLettersAsync(Names.Namespace(@namespace), limit, cancellationToken);
    }

    /// <summary>A delivery task died (its last attempt failed): its event goes to the namespace's dead letters.</summary>
    public void TaskDied(long taskId)
    {
        _deadTasks.Enqueue(taskId);
        DispatchWake.Set();
    }

    /// <summary>Tasks died by lease expiry on their last attempt (the rescuer's report, after its commit): the event
    /// deliveries among them go to their namespaces' dead letters with the lease error as the reason, like any other
    /// failed last delivery. Other tasks are ignored.</summary>
    public async Task TasksDiedAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        foreach (var id in ids)
        {
            try
            {
                await DeadLetterOfTaskAsync(id, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _logger.LogWarning(ex, "Could not record the dead letter of delivery task {TaskId}.", id);
            }
        }
    }

    private async Task FlushDeadAsync(CancellationToken cancellationToken)
    {
        while (_pendingDead.TryDequeue(out var letter))
        {
            await store.Events.AddDeadLetterAsync(letter, cancellationToken).ConfigureAwait(false);
            metrics.Delivered(letter.Namespace, letter.Subscription, "dead");
        }
        while (_deadTasks.TryDequeue(out var id))
        {
            try
            {
                await DeadLetterOfTaskAsync(id, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _logger.LogWarning(ex, "Could not record the dead letter of delivery task {TaskId}.", id);
            }
        }
    }

    private async Task DeadLetterOfTaskAsync(long id, CancellationToken cancellationToken)
    {
        var task = await store.Tasks.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (task?.UniqueKey is not { } key || !key.StartsWith("event:", StringComparison.Ordinal)) return;
        var parts = key.Split(':');
        if (parts.Length < 3 || !long.TryParse(parts[1], CultureInfo.InvariantCulture, out var subId) || !long.TryParse(parts[2], CultureInfo.InvariantCulture, out var position)) return;
        if (await store.Events.GetSubscriptionAsync(subId, cancellationToken).ConfigureAwait(false) is not { } sub) return;
        var found = await store.Events.ReadRangeAsync(new ReadRangeParams(sub.Namespace, position, position, 1), cancellationToken).ConfigureAwait(false);
        var e = found.Count > 0 ? found[0] : null;
        await store.Events.AddDeadLetterAsync(new NewDeadLetter
        {
            Namespace = sub.Namespace,
            Subscription = sub.Name,
            Position = position,
            Topic = e?.Topic ?? "",
            TaskId = task.Id,
            Deliveries = task.Attempt,
            Reason = task.Errors.Count > 0 ? task.Errors[^1].Message : "The delivery failed its last attempt.",
            Now = _clock.Now,
        }, cancellationToken).ConfigureAwait(false);
        metrics.Delivered(sub.Namespace, sub.Name, "dead");
    }

    /// <summary>Makes the subscriptions of the handlers registered in this process (those that do not exist yet).</summary>
    public async Task EnsureHandlerSubscriptionsAsync(CancellationToken cancellationToken)
    {
        foreach (var h in handlers.All)
        {
            if (await store.Events.GetSubscriptionAsync(h.Options.Namespace, h.Name, cancellationToken).ConfigureAwait(false) is not null) continue;
            await store.Events.CreateNamespaceAsync(new NewNamespace(h.Options.Namespace) { Now = _clock.Now }, cancellationToken).ConfigureAwait(false);
            try
            {
                await SubscribeAsync(new SubscriptionRequest(h.Options.Namespace, h.Name, h.Pattern)
                {
                    Action = SubscriptionActions.Handler,
                    Target = h.Name,
                    Filter = h.Options.Filter,
                    Queue = h.Options.Queue,
                    MaxDeliveries = h.Options.MaxDeliveries,
                    OrderedByKey = h.Options.OrderedByKey,
                    Start = h.Options.Start,
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (StoreException ex) when (ex.Code == "subscription-exists")
            {
                // Another node made it first.
            }
        }
    }
}
