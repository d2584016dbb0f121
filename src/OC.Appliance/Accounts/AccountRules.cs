using OC.Protocol;
using OC.Protocol.Messages;

namespace OC.Appliance.Accounts;

/// <summary>What a registration must look like (docs/protocol.md, "REGISTER").</summary>
internal static class AccountRules
{
    public static bool TryValidate(in Register r, out string error)
    {
        var nick = r.Nick.Trim();
        if (nick.Length == 0) return Fail("the nickname is empty", out error);
        if (nick.Length > ProtocolLimits.MaxNickChars) return Fail($"the nickname is longer than {ProtocolLimits.MaxNickChars} characters", out error);
        if (nick.Any(char.IsControl)) return Fail("the nickname contains control characters", out error);
        if (r.Email.Length > 0 && (!r.Email.Contains('@') || r.Email.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
            return Fail("the email address is not valid", out error);
        if (r.Salt.Length < ProtocolLimits.MinSaltBytes) return Fail($"the salt is shorter than {ProtocolLimits.MinSaltBytes} bytes", out error);
        if (r.Iterations < ProtocolLimits.MinIterations || r.Iterations > ProtocolLimits.MaxIterations)
            return Fail($"the iteration count must be {ProtocolLimits.MinIterations}..{ProtocolLimits.MaxIterations}", out error);
        if (r.StoredKey.Length != ProtocolLimits.KeyBytes || r.ServerKey.Length != ProtocolLimits.KeyBytes)
            return Fail($"the keys must be {ProtocolLimits.KeyBytes} bytes", out error);
        error = "";
        return true;
    }

    private static bool Fail(string message, out string error)
    {
        error = message;
        return false;
    }
}
