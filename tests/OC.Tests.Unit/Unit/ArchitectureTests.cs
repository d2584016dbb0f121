using System.Reflection;
using NetArchTest.Rules;
using OC.Appliance.Protocol;

namespace OC.Tests.Unit;

/// <summary>
/// The appliance's dependencies point one way (docs/architecture.md): the router (Protocol) knows
/// the features; a feature knows the shared session pieces (Sessions), storage and the network,
/// never another feature or the router; storage stores and speaks no wire format; the network
/// knows no feature. Read from the compiled assembly, so a new `using` that breaks a rule fails here.
/// </summary>
public sealed class ArchitectureTests
{
    private const string Root = "OC.Appliance";
    private static readonly string[] s_features = ["Accounts", "Friends", "Chat", "Files", "Rooms"];
    private static readonly Assembly s_appliance = typeof(RequestRouter).Assembly;

    public static TheoryData<string> Features => [.. s_features];

    [Theory]
    [MemberData(nameof(Features))]
    public void A_feature_references_no_other_feature_and_not_the_router(string feature)
    {
        string[] forbidden = [.. s_features.Where(f => f != feature).Select(f => $"{Root}.{f}"), $"{Root}.Protocol"];
        AssertNoDependency($"{Root}.{feature}", forbidden);
    }

    [Fact]
    public void Sessions_reference_no_feature_and_not_the_router() =>
        AssertNoDependency($"{Root}.Sessions", [.. s_features.Select(f => $"{Root}.{f}"), $"{Root}.Protocol"]);

    [Fact]
    public void Rate_limits_reference_no_feature_no_session_no_storage_and_not_the_router() =>
        AssertNoDependency($"{Root}.Limits", [.. s_features.Select(f => $"{Root}.{f}"), $"{Root}.Protocol", $"{Root}.Sessions", $"{Root}.Storage"]);

    [Fact]
    public void Storage_references_no_feature_no_session_and_not_the_router() =>
        AssertNoDependency($"{Root}.Storage", [.. s_features.Select(f => $"{Root}.{f}"), $"{Root}.Protocol", $"{Root}.Sessions"]);

    [Fact]
    public void Storage_references_none_of_the_protocol_s_message_encoders()
    {
        // Every type of OC.Protocol.Messages writes or reads frames, but for the file states that the
        // file store keeps in its sidecars and the kinds of a room's entries the message log keeps:
        // the vocabulary, not the encoding.
        Type[] vocabulary = [typeof(OC.Protocol.Messages.FileState), typeof(OC.Protocol.Messages.RoomMessageKind)];
        string[] encoders = [.. typeof(OC.Protocol.Messages.ChatMessage).Assembly.GetTypes()
            .Where(t => t.Namespace == "OC.Protocol.Messages" && !vocabulary.Contains(t) && !t.IsNested)
            .Select(t => t.FullName!)];
        Assert.NotEmpty(encoders);
        AssertNoDependency($"{Root}.Storage", encoders);
    }

    [Fact]
    public void The_network_layer_references_no_feature_no_session_no_storage_and_not_the_router() =>
        AssertNoDependency($"{Root}.Net", [.. s_features.Select(f => $"{Root}.{f}"), $"{Root}.Protocol", $"{Root}.Sessions", $"{Root}.Storage"]);

    private static void AssertNoDependency(string ns, string[] forbidden)
    {
        var types = Types.InAssembly(s_appliance).That().ResideInNamespace(ns);
        Assert.NotEmpty(types.GetTypes()); // a renamed namespace must not make the rule pass vacuously
        var result = types.ShouldNot().HaveDependencyOnAny(forbidden).GetResult();
        var failing = result.FailingTypes?.Select(t => $"{t.FullName}: {t.Explanation}") ?? [];
        Assert.True(result.IsSuccessful, $"{ns} must not reference {string.Join(", ", forbidden)}:\n{string.Join("\n", failing)}");
    }
}
