using Nexus.Services;

namespace Nexus.Core.Tests.Services;

/// <summary>Flap damping as a table: a sequence of check results (P pass, F fail) from a starting instance, with
/// passes-to-healthy 2 and failures-to-critical 3, and the health after each.</summary>
public sealed class HealthRulesTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("P", "starting")]
    [InlineData("PP", "healthy")]
    [InlineData("PPF", "healthy")]
    [InlineData("PPFF", "healthy")]
    [InlineData("PPFFF", "critical")]
    [InlineData("PPFFP", "healthy")]
    [InlineData("PPFPFPF", "healthy")]
    [InlineData("PPFFFP", "critical")]
    [InlineData("PPFFFPP", "healthy")]
    [InlineData("FFF", "critical")]
    [InlineData("PFPFPF", "starting")]
    public void Sequence(string checks, string health)
    {
        var state = new HealthState(ServiceHealth.Starting, 0, 0, null);
        var at = T0;
        foreach (var c in checks)
        {
            at = at.AddSeconds(1);
            state = HealthRules.Apply(state, c == 'P', 2, 3, at);
        }

        Assert.Equal(health, state.Health.Name());
        Assert.Equal(state.Health == ServiceHealth.Critical, state.CriticalSince is not null);
    }

    [Fact]
    public void CriticalSince_IsTheFirstCriticalCheck_AndStaysWhileFailing()
    {
        var state = new HealthState(ServiceHealth.Healthy, 0, 0, null);
        state = HealthRules.Apply(state, false, 1, 1, T0);
        state = HealthRules.Apply(state, false, 1, 1, T0.AddMinutes(1));

        Assert.Equal((ServiceHealth.Critical, T0), (state.Health, state.CriticalSince));
    }
}
