using Nexus.Services;

namespace Nexus.Storage.Contract;

/// <summary>Service instances on the driver under test: register, re-register keeps health, record checks and
/// heartbeats, list, deregister, and deregistration of instances critical for too long.</summary>
public abstract class ServiceContract : StoreContract
{
    private IServiceStore Services => Store.Services;

    private static ServiceRegistration Registration(string id, string name = "billing") => new()
    {
        Name = name,
        Id = id,
        Version = "1.2.3",
        BaseUrl = new Uri($"http://127.0.0.1:9/{id}/"),
        Capabilities = ["pdf", "invoice"],
        Metadata = new Dictionary<string, string> { ["zone"] = "eu" },
        HealthCheckPath = "/health",
        DeregisterAfter = TimeSpan.FromMinutes(5),
    };

    [Fact]
    public async Task Register_StoresEveryField_StartingWithNoChecks()
    {
        var i = await Services.UpsertAsync(Registration("a"), ServiceCheckMode.Http, T0);

        Assert.Equal(("billing", "a", "1.2.3", "http://127.0.0.1:9/a/", ServiceCheckMode.Http, "/health"), (i.Name, i.Id, i.Version, i.BaseUrl, i.CheckMode, i.HealthCheckPath));
        Assert.Equal(["pdf", "invoice"], i.Capabilities);
        Assert.Equal("eu", i.Metadata["zone"]);
        Assert.Equal((ServiceHealth.Starting, 0, 0, (DateTimeOffset?)null), (i.Health, i.Passes, i.Failures, i.CriticalSince));
        Assert.Equal((T0, T0, TimeSpan.FromMinutes(5)), (i.RegisteredAt, i.LastSeenAt, i.DeregisterAfter));
        var read = await Services.GetAsync("billing", "a");
        Assert.Equal(i, read! with { Capabilities = i.Capabilities, Metadata = i.Metadata });
    }

    [Fact]
    public async Task Record_WritesHealth_AndReRegisterKeepsIt()
    {
        await Services.UpsertAsync(Registration("a"), ServiceCheckMode.Http, T0);
        Assert.True(await Services.RecordAsync(new ServiceCheckRecord("billing", "a", new HealthState(ServiceHealth.Critical, 0, 3, T0.AddSeconds(5)), T0.AddSeconds(5)) { Error = "answered 500" }));
        Assert.False(await Services.RecordAsync(new ServiceCheckRecord("billing", "nobody", new HealthState(ServiceHealth.Healthy, 1, 0, null), T0)));

        var again = await Services.UpsertAsync(Registration("a") with { Version = "1.2.4" }, ServiceCheckMode.Http, T0.AddSeconds(9));

        Assert.Equal(("1.2.4", ServiceHealth.Critical, 3, T0.AddSeconds(5), "answered 500"), (again.Version, again.Health, again.Failures, again.CriticalSince, again.LastError));
        Assert.Equal((T0.AddSeconds(5), T0.AddSeconds(9)), (again.LastCheckAt, again.LastSeenAt));
    }

    [Fact]
    public async Task AHeartbeat_MovesLastSeen_NotLastCheck()
    {
        await Services.UpsertAsync(Registration("a"), ServiceCheckMode.Ttl, T0);

        await Services.RecordAsync(new ServiceCheckRecord("billing", "a", new HealthState(ServiceHealth.Healthy, 1, 0, null), T0.AddSeconds(20)) { Seen = true });

        var i = await Services.GetAsync("billing", "a");
        Assert.Equal((ServiceHealth.Healthy, T0.AddSeconds(20), (DateTimeOffset?)null), (i!.Health, i.LastSeenAt, i.LastCheckAt));
    }

    [Fact]
    public async Task List_IsByNameAndId_AndFiltersOneService_AndDeregisterRemoves()
    {
        await Services.UpsertAsync(Registration("b"), ServiceCheckMode.Http, T0);
        await Services.UpsertAsync(Registration("a"), ServiceCheckMode.Http, T0);
        await Services.UpsertAsync(Registration("z", "auth"), ServiceCheckMode.Ttl, T0);

        Assert.Equal(["auth/z", "billing/a", "billing/b"], (await Services.ListAsync()).Select(i => $"{i.Name}/{i.Id}"));
        Assert.Equal(["a", "b"], (await Services.ListAsync("billing")).Select(i => i.Id));
        Assert.True(await Services.DeregisterAsync("billing", "a"));
        Assert.False(await Services.DeregisterAsync("billing", "a"));
        Assert.Equal(["b"], (await Services.ListAsync("billing")).Select(i => i.Id));
    }

    [Fact]
    public async Task DeregisterCritical_RemovesOnlyThoseCriticalLongerThanTheirOwnLimit()
    {
        await Services.UpsertAsync(Registration("old"), ServiceCheckMode.Http, T0);
        await Services.UpsertAsync(Registration("new"), ServiceCheckMode.Http, T0);
        await Services.UpsertAsync(Registration("fine"), ServiceCheckMode.Http, T0);
        await Services.RecordAsync(new ServiceCheckRecord("billing", "old", new HealthState(ServiceHealth.Critical, 0, 3, T0), T0));
        await Services.RecordAsync(new ServiceCheckRecord("billing", "new", new HealthState(ServiceHealth.Critical, 0, 3, T0.AddMinutes(4)), T0.AddMinutes(4)));

        var gone = await Services.DeregisterCriticalAsync(T0.AddMinutes(5));

        Assert.Equal(["old"], gone.Select(i => i.Id));
        Assert.Equal(["fine", "new"], (await Services.ListAsync("billing")).Select(i => i.Id));
    }
}
