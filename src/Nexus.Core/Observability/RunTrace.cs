using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Nexus.Workflows;

namespace Nexus.Observability;

/// <summary>
/// A trace per workflow run. The run's trace id and the id of its root span are derived from the run (its id and
/// creation time, hashed), so every node computes the same ones without storing anything: each step's task is stored
/// with the root as its parent (<c>traceparent</c>, sampled), so its <c>nexus.execute</c> spans — whichever worker runs
/// them, local or external — are children of the run's root in the run's trace. When the run finishes, the node that
/// finished it emits a <c>nexus.run</c> span of the run's whole duration (start = the run's creation) under the same
/// root. The trace id is shown on the run (<c>traceId</c> in REST, <c>nexus runs show</c>).
/// </summary>
public static class RunTrace
{
    /// <summary>The name of the span of a whole run.</summary>
    public const string RunSpanName = "nexus.run";

    /// <summary>The run's trace id, 32 hex digits.</summary>
    public static string TraceId(WorkflowRun run) => Ids(run.Id, run.CreatedAt).Trace.ToHexString();

    /// <summary>The W3C <c>traceparent</c> its step tasks are stored with: the run's root span, sampled.</summary>
    internal static string Parent(WorkflowRun run)
    {
        var (trace, root) = Ids(run.Id, run.CreatedAt);
        return $"00-{trace.ToHexString()}-{root.ToHexString()}-01";
    }

    internal static (ActivityTraceId Trace, ActivitySpanId Root) Ids(long runId, DateTimeOffset createdAt)
    {
        Span<byte> hash = stackalloc byte[32];
        var seed = string.Create(CultureInfo.InvariantCulture, $"nexus-run/{runId}/{createdAt.ToUnixTimeMilliseconds()}");
        SHA256.HashData(Encoding.UTF8.GetBytes(seed), hash);
        // An all-zero id is invalid in W3C; a hash that starts so is vanishingly rare, but stay valid all the same.
        if (BinaryPrimitives.ReadUInt64LittleEndian(hash[..8]) == 0 && BinaryPrimitives.ReadUInt64LittleEndian(hash[8..16]) == 0) hash[0] = 1;
        if (BinaryPrimitives.ReadUInt64LittleEndian(hash[16..24]) == 0) hash[16] = 1;
        return (ActivityTraceId.CreateFromBytes(hash[..16]), ActivitySpanId.CreateFromBytes(hash[16..24]));
    }

    /// <summary>Emits the span of a finished run (nothing without a listener).</summary>
    internal static void RecordFinished(WorkflowRun run)
    {
        if (!NexusActivities.Source.HasListeners() || run.FinishedAt is not { } finished) return;
        var (trace, root) = Ids(run.Id, run.CreatedAt);
        var parent = new ActivityContext(trace, root, ActivityTraceFlags.Recorded, isRemote: true);
        using var span = NexusActivities.Source.StartActivity(RunSpanName, ActivityKind.Internal, parent, startTime: run.CreatedAt);
        if (span is null) return;
        if (span.IsAllDataRequested)
        {
            span.SetTag("nexus.run.id", run.Id);
            span.SetTag("nexus.workflow", run.Workflow);
            span.SetTag("nexus.workflow.version", run.Version);
            span.SetTag("nexus.run.state", run.State.ToName());
            if (run.ParentRunId is { } p) span.SetTag("nexus.run.parent", p);
            if (run.State is RunState.Failed or RunState.CompensationFailed) span.SetStatus(ActivityStatusCode.Error, run.Error);
        }
        span.SetEndTime(finished.UtcDateTime);
    }
}
