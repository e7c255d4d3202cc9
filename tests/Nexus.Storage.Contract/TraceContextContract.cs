using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Storage.Contract;

/// <summary>The submit's W3C trace context is stored with the task and handed back by the claim, so the execution
/// span on any node continues the submit's trace.</summary>
public abstract class TraceContextContract : StoreContract
{
    private const string Traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    private const string WithState = Traceparent + "\nvendor1=opaque,vendor2=x y";

    [Fact]
    public async Task TraceContext_RoundTripsThroughInsertClaimAndGet_AndStaysNullWithoutOne()
    {
        var results = await Store.Tasks.InsertAsync(new InsertTasksParams(
        [
            Task(priority: 3) with { TraceContext = Traceparent },
            Task(priority: 2) with { TraceContext = WithState },
            Task(priority: 1),
        ]) { Now = T0 });

        var claimed = await ClaimAsync(max: 3);

        Assert.Equal(results.Select(r => r.Id), claimed.Select(t => t.Id));
        Assert.Equal([Traceparent, WithState, null], claimed.Select(t => t.TraceContext));
        Assert.Equal(WithState, (await GetAsync(results[1].Id)).TraceContext);
        Assert.Null((await GetAsync(results[2].Id)).TraceContext);
    }

    [Fact]
    public async Task TraceContext_SurvivesARetry_SoEveryAttemptJoinsTheSubmitTrace()
    {
        var id = await InsertAsync(Task() with { TraceContext = Traceparent });
        var first = await ClaimOneAsync();
        Assert.True(await CompleteAsync(new TaskCompletion(id, first.LeaseToken!.Value, CompletionKind.Retry) { Error = Error(1) }));

        var second = await ClaimOneAsync(now: T0.AddHours(1));

        Assert.Equal(2, second.Attempt);
        Assert.Equal(Traceparent, second.TraceContext);
    }
}
