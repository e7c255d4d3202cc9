using CsCheck;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Storage.Contract;

/// <summary>
/// A property-based test of the task state machine against a model, on the driver under test: random sequences of
/// submits (ready, delayed or waiting), claims, every kind of completion (with the current or a stale lease token),
/// cancels, manual retries, releases, clock advances and rescues, deletes, bulk retries and deletes, and retention's
/// deletes, over two queues. After every step each task's state, attempt and lease in the store must equal the
/// model's, a claim must take exactly the tasks the model says are due, in claim order, and the counts by queue and
/// state that the store keeps incrementally (<see cref="ITaskStore.CountAsync"/>) must equal the model's. CsCheck
/// shrinks a failing sequence to a short one and prints it.
/// </summary>
public abstract class StateMachinePropertyContract : StoreContract
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    /// <summary>One step: what, on which task (an index into the tasks submitted so far), and a small number.</summary>
    public readonly record struct Step(int Op, int Target, int N)
    {
        public override string ToString() => Op switch
        {
            0 => $"submit(maxAttempts {N})",
            1 => $"submit delayed {N * 10}s",
            2 => "submit waiting",
            3 => $"claim({N})",
            4 => $"complete #{Target} as {(CompletionKind)((N + Target) % 6)}",
            5 => $"complete #{Target} with a stale token",
            6 => $"cancel #{Target}",
            7 => $"retry #{Target}",
            8 => $"release #{Target}",
            9 => $"advance {N * 15}s and rescue",
            10 => $"delete #{Target}",
            11 => $"bulk retry in {QueueOf(Target)}",
            12 => $"bulk delete {FinishedState(N).ToName()}",
            _ => $"retention of {FinishedState(N).ToName()}",
        };
    }

    private sealed class Model
    {
        public required long Id { get; init; }
        public required string Queue { get; init; }
        public TaskState State { get; set; }
        public int Attempt { get; set; }
        public int MaxAttempts { get; set; }
        public DateTimeOffset RunAt { get; set; }
        public Guid? Token { get; set; }
        public DateTimeOffset? LeaseExpires { get; set; }
        public bool CancelRequested { get; set; }
    }

    private static string QueueOf(int n) => n % 2 == 0 ? "default" : "other";

    private static TaskState FinishedState(int n) => n switch { 1 => TaskState.Succeeded, 2 => TaskState.Dead, _ => TaskState.Cancelled };

    private static readonly Gen<Step[]> Steps = Gen.Select(Gen.Int[0, 13], Gen.Int[0, 7], Gen.Int[1, 3])
        .Select((op, target, n) => new Step(op, target, n)).Array[4, 40];

    [Fact]
    public async Task RandomSequences_KeepTheStoreEqualToTheModel() =>
        await Steps.SampleAsync(RunAsync, iter: 40, threads: 1);

    private async Task RunAsync(Step[] steps)
    {
        await using var store = await CreateStoreAsync();
        await store.MigrateAsync();
        var models = new List<Model>();
        var now = T0;
        foreach (var step in steps)
        {
            await ApplyAsync(store, models, step, now);
            if (step.Op == 9) now = now.AddSeconds(step.N * 15);
            foreach (var m in models)
            {
                var t = await store.Tasks.GetAsync(m.Id) ?? throw new InvalidOperationException($"task {m.Id} is gone after {step}");
                var expected = (m.State, m.Attempt, m.Token);
                var actual = (t.State, t.Attempt, t.LeaseToken);
                if (expected != actual) throw new InvalidOperationException($"after {step}: task {m.Id} is {actual}, the model says {expected}");
            }
            var kept = (await store.Tasks.CountAsync())
                .SelectMany(q => q.Counts.Where(c => c.Value != 0).Select(c => $"{q.Queue}/{c.Key.ToName()}={c.Value}")).Order(StringComparer.Ordinal);
            var counted = models.GroupBy(m => $"{m.Queue}/{m.State.ToName()}").Select(g => $"{g.Key}={g.Count()}").Order(StringComparer.Ordinal);
            if (!kept.SequenceEqual(counted))
            {
                throw new InvalidOperationException($"after {step}: the store counts [{string.Join(", ", kept)}], the model [{string.Join(", ", counted)}]");
            }
        }
    }

    private static async Task ApplyAsync(INexusStore store, List<Model> models, Step step, DateTimeOffset now)
    {
        Model? target = models.Count == 0 ? null : models[step.Target % models.Count];
        switch (step.Op)
        {
            case 0 or 1 or 2:
                var delayed = step.Op == 1;
                var task = Task(maxAttempts: step.Op == 0 ? step.N : 2, queue: QueueOf(step.Target)) with { Delay = delayed ? TimeSpan.FromSeconds(step.N * 10) : null, Waiting = step.Op == 2 };
                var id = (await store.Tasks.InsertAsync(new InsertTasksParams([task]) { Now = now }))[0].Id;
                models.Add(new Model
                {
                    Id = id,
                    Queue = task.Queue,
                    State = step.Op == 2 ? TaskState.Waiting : delayed ? TaskState.Scheduled : TaskState.Available,
                    MaxAttempts = task.MaxAttempts,
                    RunAt = delayed ? now.AddSeconds(step.N * 10) : now,
                });
                break;
            case 3:
                var claimed = await store.Tasks.ClaimAsync(new ClaimParams("node-p", step.N, Lease) { Now = now });
                var due = models.Where(m => m.State is TaskState.Available or TaskState.Scheduled or TaskState.Retrying && m.RunAt <= now)
                    .OrderBy(m => m.RunAt).ThenBy(m => m.Id).Take(step.N).ToList();
                var got = claimed.Select(c => c.Id).ToList();
                if (!got.SequenceEqual(due.Select(m => m.Id))) throw new InvalidOperationException($"{step} claimed [{string.Join(",", got)}], the model says [{string.Join(",", due.Select(m => m.Id))}]");
                foreach (var c in claimed)
                {
                    var m = models.Single(x => x.Id == c.Id);
                    (m.State, m.Attempt, m.Token, m.LeaseExpires) = (TaskState.Running, m.Attempt + 1, c.LeaseToken, now + Lease);
                }
                break;
            case 4 or 5 when target is not null:
                var kind = (CompletionKind)((step.N + step.Target) % 6);
                var stale = step.Op == 5 || target.Token is null;
                var completion = new TaskCompletion(target.Id, stale ? Guid.NewGuid() : target.Token!.Value, kind)
                {
                    ResultJson = "1",
                    Error = new AttemptError(target.Attempt, now, "X", "x", null),
                    Delay = TimeSpan.FromSeconds(20),
                };
                var accepted = (await store.Tasks.CompleteAsync(new CompleteParams([completion]) { Now = now }))[0];
                var shouldAccept = !stale && target.State == TaskState.Running;
                if (accepted != shouldAccept) throw new InvalidOperationException($"{step} was {(accepted ? "accepted" : "refused")}");
                if (accepted)
                {
                    var transition = TaskTransitions.Of(kind);
                    target.State = transition.To;
                    if (transition.Of(TaskColumn.Attempt) == ColumnChange.Refunded) target.Attempt = Math.Max(0, target.Attempt - 1);
                    if (transition.Of(TaskColumn.RunAt) == ColumnChange.Set) target.RunAt = kind == CompletionKind.Released ? now : now.AddSeconds(20);
                    (target.Token, target.LeaseExpires) = (null, null);
                }
                break;
            case 6 when target is not null:
                var cancel = await store.Tasks.CancelAsync(new TaskActionParams(target.Id) { Now = now });
                var expectCancel = target.State switch
                {
                    TaskState.Running => CancelOutcome.Requested,
                    _ when target.State.IsTerminal() => CancelOutcome.AlreadyFinished,
                    _ => CancelOutcome.Cancelled,
                };
                if (cancel != expectCancel) throw new InvalidOperationException($"{step} answered {cancel}, the model says {expectCancel}");
                if (cancel == CancelOutcome.Cancelled) target.State = TaskState.Cancelled;
                if (cancel == CancelOutcome.Requested) target.CancelRequested = true;
                break;
            case 7 when target is not null:
                var retry = await store.Tasks.RetryAsync(new TaskActionParams(target.Id) { Now = now });
                var expectRetry = target.State is TaskState.Dead or TaskState.Cancelled ? RetryOutcome.Retried : RetryOutcome.NotRetryable;
                if (retry != expectRetry) throw new InvalidOperationException($"{step} answered {retry}, the model says {expectRetry}");
                if (retry == RetryOutcome.Retried)
                {
                    (target.State, target.RunAt, target.CancelRequested) = (TaskState.Available, now, false);
                    target.MaxAttempts = Math.Max(target.MaxAttempts, target.Attempt + 1);
                }
                break;
            case 8 when target is not null:
                var released = await store.Tasks.ReleaseAsync(new ReleaseParams([target.Id]) { Now = now });
                if (released != (target.State == TaskState.Waiting ? 1 : 0)) throw new InvalidOperationException($"{step} released {released}");
                if (released == 1) (target.State, target.RunAt) = (TaskState.Available, now);
                break;
            case 9:
                var later = now.AddSeconds(step.N * 15);
                await store.Tasks.RescueAsync(new RescueParams(100) { Now = later });
                foreach (var m in models.Where(m => m.State == TaskState.Running && m.LeaseExpires < later))
                {
                    m.State = m.Attempt >= m.MaxAttempts ? TaskState.Dead : TaskState.Retrying;
                    if (m.State == TaskState.Retrying) m.RunAt = later;
                    (m.Token, m.LeaseExpires) = (null, null);
                }
                break;
            case 10 when target is not null:
                var deleted = await store.Tasks.DeleteAsync(new TaskActionParams(target.Id) { Now = now });
                var expectDelete = target.State == TaskState.Running ? DeleteOutcome.Running : DeleteOutcome.Deleted;
                if (deleted != expectDelete) throw new InvalidOperationException($"{step} answered {deleted}, the model says {expectDelete}");
                if (deleted == DeleteOutcome.Deleted) models.Remove(target);
                break;
            case 11:
                var queue = QueueOf(step.Target);
                var retried = await store.Tasks.RetryManyAsync(new BulkTaskParams(new TaskFilter { Queue = queue }, 100) { Now = now });
                var retryable = models.Where(m => m.Queue == queue && m.State is TaskState.Dead or TaskState.Cancelled).ToList();
                if (retried != retryable.Count) throw new InvalidOperationException($"{step} retried {retried}, the model says {retryable.Count}");
                foreach (var m in retryable)
                {
                    (m.State, m.RunAt, m.CancelRequested) = (TaskState.Available, now, false);
                    m.MaxAttempts = Math.Max(m.MaxAttempts, m.Attempt + 1);
                }
                break;
            case 12:
                var state = FinishedState(step.N);
                var bulkDeleted = await store.Tasks.DeleteManyAsync(new BulkTaskParams(new TaskFilter { State = state }, 100) { Now = now });
                var gone = models.RemoveAll(m => m.State == state);
                if (bulkDeleted != gone) throw new InvalidOperationException($"{step} deleted {bulkDeleted}, the model says {gone}");
                break;
            default:
                if (step.Op != 13) break;
                var finished = FinishedState(step.N);
                var expired = await store.Tasks.DeleteExpiredAsync(new ExpiredTasksParams(finished, now.AddSeconds(1), 100));
                var past = models.RemoveAll(m => m.State == finished);
                if (expired != past) throw new InvalidOperationException($"{step} deleted {expired}, the model says {past}");
                break;
        }
    }
}
