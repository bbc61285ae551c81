using Loire.Entities;
using Loire.Grains.Depth;

namespace Loire.Tests.Depth;

/// <summary>Which silo reports which entity's depth, and which entities a capped export keeps.</summary>
public sealed class DepthExportTests
{
    private static readonly string[] s_silos = ["S127.0.0.1:11111:1", "S127.0.0.1:11112:2", "S127.0.0.1:11113:3"];

    [Fact]
    public void EveryEntityHasExactlyOneOwnerAndTheSharesAreNotLopsided()
    {
        var entities = Enumerable.Range(0, 3000).Select(i => $"queues/q-{i}").ToList();
        var shares = s_silos.Select(silo => entities.Count(e => DepthOwnership.IsOwner(e, silo, s_silos))).ToList();

        Assert.All(entities, e => Assert.Single(s_silos, silo => DepthOwnership.IsOwner(e, silo, s_silos)));
        Assert.All(shares, share => Assert.InRange(share, 800, 1200));
    }

    [Fact]
    public void ASiloLeavingMovesOnlyItsOwnShare()
    {
        var entities = Enumerable.Range(0, 2000).Select(i => $"orders/{i}").ToList();
        string[] survivors = [s_silos[0], s_silos[2]];
        foreach (var entity in entities)
        {
            var before = s_silos.Single(silo => DepthOwnership.IsOwner(entity, silo, s_silos));
            var after = survivors.Single(silo => DepthOwnership.IsOwner(entity, silo, survivors));
            if (before != s_silos[1])
            {
                Assert.Equal(before, after);
            }
        }
    }

    [Fact]
    public void ACappedExportKeepsTheDeepestEntitiesAndCountsTheRest()
    {
        var owned = Enumerable.Range(0, 10)
            .Select(i => new EntityDepthSummary { Path = $"q{i}", Kind = EntityKind.Queue, ActiveMessages = i % 4, DeadLetterMessages = i == 7 ? 10 : 0, IsRecorded = true })
            .ToList();

        var export = DepthExport.Select(owned, 3);

        Assert.Equal(10, export.OwnedCount);
        Assert.Equal(["q7", "q3", "q2"], export.Entities.Select(e => e.Path));
        Assert.Empty(DepthExport.Select(owned, 0).Entities);
    }
}
