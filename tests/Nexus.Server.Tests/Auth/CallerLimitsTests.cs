using Nexus.Server.Api;
using Nexus.Server.Auth;

namespace Nexus.Server.Tests.Auth;

/// <summary>The one authorization rule (<see cref="Caller"/>): what a caller's role and queues let it use and grant.</summary>
public sealed class CallerLimitsTests
{
    private static Caller Of(string role, params string[] queues) =>
        Caller.From(Caller.Principal("t", "test", [role], queues.Length == 0 ? null : queues));

    [Fact]
    public void CanUseAll_NeedsEveryQueue_AndAnEmptyListIsEveryQueue()
    {
        var limited = Of(NexusRoles.Worker, "a", "b");
        Assert.True(limited.CanUseAll(["a"]));
        Assert.True(limited.CanUseAll(["a", "b"]));
        Assert.False(limited.CanUseAll(["a", "c"]));
        Assert.False(limited.CanUseAll([]));
        Assert.True(Of(NexusRoles.Worker).CanUseAll([]));
        Assert.True(Of(NexusRoles.Worker).CanUseAll(["z"]));
    }

    [Theory]
    [InlineData("admin", "admin", true)]
    [InlineData("admin", "worker", true)]
    [InlineData("operator", "viewer", true)]
    [InlineData("operator", "worker", false)]
    [InlineData("operator", "admin", false)]
    [InlineData("viewer", "operator", false)]
    [InlineData("worker", "viewer", false)]
    public void Holds_ARole_WhenItsRolesGrantEveryRightOfIt(string own, string other, bool holds) =>
        Assert.Equal(holds, Of(own).Holds(other));

    [Fact]
    public void EnsureCanGrant_RefusesAWiderRole_AKeyWithoutQueues_AndAForeignQueue()
    {
        var limitedAdmin = Of(NexusRoles.Admin, "a");
        Assert.Equal(("queue-forbidden", "queues"), Refusal(() => limitedAdmin.EnsureCanGrant("viewer", [])));
        Assert.Equal(("queue-forbidden", "queues[1]"), Refusal(() => limitedAdmin.EnsureCanGrant("viewer", ["a", "b"])));
        Assert.Equal(("role-forbidden", "role"), Refusal(() => Of(NexusRoles.Operator).EnsureCanGrant("admin", [])));
        limitedAdmin.EnsureCanGrant("admin", ["a"]);
        Of(NexusRoles.Admin).EnsureCanGrant("admin", []);
    }

    [Fact]
    public void CapKeyExpiry_GivesTheMakersExpiry_WhenNoneIsAsked_AndRefusesALaterOne()
    {
        var own = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var expiring = Caller.From(Caller.Principal("t", "test", [NexusRoles.Admin], null, expiresAt: own));
        Assert.Equal(own, expiring.ExpiresAt);
        Assert.Equal(own, expiring.CapKeyExpiry(null));
        Assert.Equal(own.AddDays(-1), expiring.CapKeyExpiry(own.AddDays(-1)));
        Assert.Equal(("key-outlives-maker", "expiresAt"), Refusal(() => expiring.CapKeyExpiry(own.AddSeconds(1))));
        var unexpiring = Of(NexusRoles.Admin);
        Assert.Null(unexpiring.ExpiresAt);
        Assert.Null(unexpiring.CapKeyExpiry(null));
        Assert.Equal(own.AddYears(50), unexpiring.CapKeyExpiry(own.AddYears(50)));
    }

    private static (string Code, string? Field) Refusal(Action act)
    {
        var ex = Assert.Throws<ApiProblemException>(act);
        Assert.Equal(403, ex.Status);
        return (ex.Code, ex.Field);
    }
}
