import { keepBothSides, trainMergeTarget } from './train-fix';

describe('the demo agent fixing a merge-train conflict', () => {
  it("finds the target in the train's follow-up", () => {
    const text = 'Baton\'s merge train could not put your branch baton/x on main: …\n\nBring main into your branch and resolve the conflicts: run `git merge main`, fix each …';
    expect(trainMergeTarget(text)).toBe('main');
    expect(trainMergeTarget('run `git merge release/2.x`, then')).toBe('release/2.x');
    expect(trainMergeTarget('please fix the tests')).toBeNull();
    expect(trainMergeTarget('run `git merge main; rm -rf /`')).toBeNull();
  });

  it('keeps both sides of every conflict hunk, ours first, markers gone (diff3 bases too)', () => {
    const text = ['# Shared', '<<<<<<< HEAD', 'ours', '=======', 'theirs', '>>>>>>> main', 'end', '<<<<<<< HEAD', 'a', '||||||| base', 'o', '=======', 'b', '>>>>>>> main', ''].join('\n');
    expect(keepBothSides(text)).toBe(['# Shared', 'ours', 'theirs', 'end', 'a', 'b', ''].join('\n'));
    expect(keepBothSides('no conflict\n')).toBe('no conflict\n');
  });
});
